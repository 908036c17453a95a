// Preloaded (node -r) by a test: lists every module file the process loaded, at exit.
"use strict";
const { writeSync } = require("node:fs");
process.on("exit", () => {
  writeSync(2, `\nSLIPWAY_LOADED ${JSON.stringify(Object.keys(require.cache))}\n`);
});
