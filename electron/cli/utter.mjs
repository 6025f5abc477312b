#!/usr/bin/env node
// The `utter` command: runs the TypeScript sources through tsx, so `npx utter` works
// straight after `npm install`, with no build step.
// The Node check comes first and tsx is imported only after it (static imports would be
// hoisted above it); no top-level await, so an old Node parses this file and hears why.
import { exitIfNodeTooOld } from '../launch/node-version.mjs';

exitIfNodeTooOld();
import('tsx/esm/api')
  .then(({ register }) => {
    register();
    return import('./main.ts');
  })
  .then(({ main }) => main(process.argv.slice(2)))
  .then((code) => {
    process.exitCode = code;
  });
