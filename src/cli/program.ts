import { Command, CommanderError } from 'commander';
import os from 'node:os';
import { UntrainedCsError } from '../core/errors.js';
import { engineInfo } from '../engine/select.js';
import { registerReconstruct } from './commands/reconstruct.js';
import { registerCompare } from './commands/compare.js';
import { registerDemo } from './commands/demo.js';
import { registerSweep } from './commands/sweep.js';
import { registerKernel } from './commands/kernel.js';
import { beginInterrupt } from './interrupt.js';
import { registerReproduce } from './commands/reproduce.js';
import { setQuiet } from './progress.js';
import { version } from './version.js';

export { version };

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('untrained-cs')
    .description('Compressive-sensing recovery with untrained generator priors and sparsity baselines')
    .version(version())
    .showHelpAfterError('(run with --help for usage)');
  program.exitOverride();
  program
    .command('info')
    .description('version, compute engine and threads in use')
    .action(() => {
      console.log(`untrained-cs ${version()}`);
      console.log(`node ${process.version} on ${os.platform()} ${os.arch()}, ${os.availableParallelism()} cores`);
      const e = engineInfo();
      const pin = 'UNTRAINED_CS_KERNELS=native|wasm|portable|tfjs to pin';
      if (e.device) console.log(`engine: ${e.engine} (${pin})`);
      else console.log(`engine: ${e.kernels} kernels, ${e.threads} thread(s) per fit (UNTRAINED_CS_THREADS to change; ${pin})`);
      console.log(`  native: ${e.native}`);
      console.log(`  wasm:   ${e.wasm}`);
    });
  registerReconstruct(program);
  registerCompare(program);
  registerDemo(program);
  registerSweep(program);
  registerKernel(program);
  registerReproduce(program);
  // Every command takes --quiet, so scripts can pass it to all of them: no progress lines, and
  // commands that print notices ("wrote ...") skip them; results asked for still print.
  for (const c of program.commands) if (!c.options.some((opt) => opt.long === '--quiet')) c.option('--quiet', 'no progress lines or notices');
  program.hook('preAction', (_program, action) => setQuiet(Boolean(action.opts().quiet)));
  return program;
}

/**
 * Runs the CLI; returns the exit code (130 after a Ctrl-C that stopped the command early).
 * Caller mistakes print one clear line, never a stack.
 */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  const interrupt = beginInterrupt();
  try {
    await program.parseAsync(argv);
    return interrupt.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UntrainedCsError) {
      // Errors raised by the CLI itself already start with its name: print it once.
      console.error(err.fn === 'untrained-cs' ? err.message : `untrained-cs: ${err.message}`);
      return 2;
    }
    const code = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      // A file the user named cannot be read: say which, in words, once (no raw errno text).
      const path = (err as NodeJS.ErrnoException).path ?? '';
      const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (permission denied)' : 'is a folder, not a file';
      console.error(`untrained-cs: '${path}' ${why}`);
      return 2;
    }
    throw err;
  } finally {
    interrupt.uninstall();
  }
}
