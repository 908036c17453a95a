// The floor: an empty cdktf app (one empty stack) synthesized the same way slipway synthesizes.
"use strict";
const { App, TerraformStack } = require("cdktf");
const app = new App({ outdir: process.argv[2] });
new TerraformStack(app, "empty");
app.synth();
