#!/usr/bin/env node
// The CDK CLI's entry point (cdk.json): `npx aws-cdk deploy` from infra/aws creates or updates the stack.
import { findProjectRoot, loadConfig } from 'fleetproof';
import { buildApp } from './app.js';

const config = await loadConfig(findProjectRoot());
const { app } = buildApp(config, {
  region: process.env.CDK_DEFAULT_REGION,
  account: process.env.CDK_DEFAULT_ACCOUNT,
});
app.synth();
