#!/usr/bin/env node
// After TypeDoc (`npm run docs`): every export of the public entry points must have a summary and
// an @example. Reads TypeDoc's JSON model; prints what is missing and exits 1 if anything is.
'use strict';
const fs = require('node:fs');

const model = JSON.parse(fs.readFileSync(process.argv[2] || 'docs/api/api.json', 'utf8'));
const missing = [];
let count = 0;
for (const entry of model.children ?? []) {
  for (const item of entry.children ?? []) {
    count++;
    const comment = item.comment ?? item.signatures?.[0]?.comment;
    const lacks = [];
    if (!comment?.summary?.some((part) => part.text.trim())) lacks.push('summary');
    if (!comment?.blockTags?.some((tag) => tag.tag === '@example')) lacks.push('@example');
    if (lacks.length) missing.push(`${entry.name}: ${item.name} has no ${lacks.join(' and no ')}`);
  }
}
if (missing.length) {
  console.error(`${missing.length} of ${count} public exports are not documented with an example:\n${missing.join('\n')}`);
  process.exit(1);
}
console.log(`${count} public exports, each with a summary and an example`);
