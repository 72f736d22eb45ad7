import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";

import { expandPath, findOnPath, LookupEnvironment, resolveServer } from "../serverPath";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "ballast-vscode-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function makeFile(relative: string, mode: number): string {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, "#!/bin/sh\n");
  fs.chmodSync(file, mode);
  return file;
}

function unixEnv(pathVariable: string, workspaceFolder?: string): LookupEnvironment {
  return { path: pathVariable, pathExt: undefined, platform: "linux", workspaceFolder };
}

const runnable = makeFile("bin/ballast", 0o755);
const notRunnable = makeFile("other/ballast", 0o644);
fs.mkdirSync(path.join(root, "folder/ballast"), { recursive: true });

test("configured path wins over PATH", { skip: process.platform === "win32" }, () => {
  const configured = makeFile("custom/ballast-dev", 0o755);
  assert.deepEqual(resolveServer(configured, unixEnv(path.join(root, "bin"))), { command: configured });
});

test("configured path that is not executable is an error", { skip: process.platform === "win32" }, () => {
  const resolution = resolveServer(notRunnable, unixEnv(path.join(root, "bin")));
  if (!("error" in resolution)) {
    assert.fail(`expected an error, got ${resolution.command}`);
  }
  assert.match(resolution.error, /ballast\.path is set to .*other\/ballast, but .* is not an executable file/);
});

test("relative configured path uses workspace folder", { skip: process.platform === "win32" }, () => {
  assert.deepEqual(resolveServer("bin/ballast", unixEnv("", root)), { command: runnable });
});

test("PATH lookup skips non-executables and folders", { skip: process.platform === "win32" }, () => {
  const searchPath = [path.join(root, "other"), path.join(root, "folder"), "", path.join(root, "bin")].join(":");
  assert.equal(findOnPath("ballast", unixEnv(searchPath)), runnable);
  assert.deepEqual(resolveServer("  ", unixEnv(searchPath)), { command: runnable });
});

test("missing everywhere names both places", () => {
  const resolution = resolveServer(undefined, unixEnv(path.join(root, "nothing-here")));
  if (!("error" in resolution)) {
    assert.fail(`expected an error, got ${resolution.command}`);
  }
  assert.equal(resolution.error, "ballast was not found on PATH, and the ballast.path setting is empty.");
});

test("windows lookup tries PATHEXT suffixes", () => {
  const exe = makeFile("win/ballast.EXE", 0o644);
  const env: LookupEnvironment = { path: path.join(root, "win"), pathExt: ".COM;.EXE", platform: "win32", workspaceFolder: undefined };
  assert.equal(findOnPath("ballast", env), exe);
});

test("tilde expands to home folder", () => {
  assert.equal(expandPath("~/bin/ballast", "/workspace"), path.join(os.homedir(), "bin/ballast"));
  assert.equal(expandPath("/usr/bin/ballast", "/workspace"), "/usr/bin/ballast");
});
