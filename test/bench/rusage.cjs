// Preloaded into each benchmarked process (node -r): reports its own peak memory at exit.
"use strict";
const { writeSync } = require("node:fs");
process.on("exit", () => {
  writeSync(2, `\nSLIPWAY_RUSAGE ${JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS })}\n`);
});
