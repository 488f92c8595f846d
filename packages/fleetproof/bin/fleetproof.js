#!/usr/bin/env node
// Committed launcher: npm links bins at install time, before `prepare` has compiled dist/, so the bin
// must be a file that already exists. The root `prepare` script builds dist/ right after install.
import '../dist/cli/main.js';
