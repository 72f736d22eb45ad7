// Checks package.json against the code: every setting reaches the server or is read by the
// extension, every command is registered, and the extra Dockerfile names are contributed.

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";

import { serverSettings } from "../settings";

const root = path.join(__dirname, "..", "..");
const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const extensionSource = fs.readFileSync(path.join(root, "src", "extension.ts"), "utf8");

// Settings the extension itself reads; they are not sent to the server.
const CLIENT_ONLY = ["ballast.path", "ballast.build.arguments", "ballast.trace.server"];

test("every setting reaches server or extension", () => {
  const read: string[] = [];
  serverSettings((key) => {
    read.push(`ballast.${key}`);
    return undefined;
  });
  for (const key of Object.keys(manifest.contributes.configuration.properties)) {
    assert.ok(read.includes(key) || CLIENT_ONLY.includes(key), `${key} is neither sent to the server nor read by the extension`);
  }
  for (const key of read) {
    assert.ok(key in manifest.contributes.configuration.properties, `${key} is sent to the server but not declared in package.json`);
  }
});

test("every command is registered", () => {
  const ids = manifest.contributes.commands.map((command: { command: string }) => command.command);
  assert.deepEqual(ids.sort(), ["ballast.buildAndMeasure", "ballast.fixAll", "ballast.restartServer"]);
  for (const id of ids) {
    assert.ok(extensionSource.includes(`registerCommand("${id}"`), `${id} is not registered in extension.ts`);
  }
});

test("extra Dockerfile names join dockerfile language", () => {
  const language = manifest.contributes.languages.find((entry: { id: string }) => entry.id === "dockerfile");
  assert.ok(language !== undefined);
  assert.ok(language.filenames.includes("Containerfile"));
  assert.ok(language.filenamePatterns.includes("*.Dockerfile"));
  assert.ok(language.filenamePatterns.includes("Dockerfile.*"));
  assert.ok(manifest.activationEvents.includes("onLanguage:dockerfile"));
});

test("dependency versions are exact", () => {
  for (const group of ["dependencies", "devDependencies"]) {
    for (const [name, version] of Object.entries(manifest[group] as Record<string, string>)) {
      assert.match(version, /^\d+\.\d+\.\d+$/, `${name} is not pinned: ${version}`);
    }
  }
});
