#!/usr/bin/env node
// The published entry point runs the compiled sources (`npm run build`).
import '../dist/main.js';
