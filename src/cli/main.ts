#!/usr/bin/env node
// The `rolemill` command: runs one command line (src/cli/run.ts) and exits with its code.
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2));
// Worker threads (peer groups, the mining pool) must not keep a finished run alive.
process.exit();
