import assert from "node:assert/strict";
import { test } from "node:test";

import { buildArguments, reportFileName, SERVER_COMMANDS } from "../build";

test("build arguments default context to Dockerfile folder", () => {
  assert.deepEqual(buildArguments("/src/app/Dockerfile", "/tmp/report.json", []), [
    "build",
    "--file",
    "/src/app/Dockerfile",
    "--report",
    "/tmp/report.json",
    "/src/app",
  ]);
});

test("extra arguments follow the context", () => {
  const args = buildArguments("/src/app/web.Dockerfile", "/tmp/r.json", ["--builder", "podman", "--", "--squash"], "/src");
  assert.deepEqual(args.slice(5), ["/src", "--builder", "podman", "--", "--squash"]);
});

test("report names are stable and distinct", () => {
  assert.equal(reportFileName("/a/Dockerfile"), reportFileName("/a/Dockerfile"));
  assert.notEqual(reportFileName("/a/Dockerfile"), reportFileName("/b/Dockerfile"));
  assert.match(reportFileName("/a/my file.Dockerfile"), /^build-report-my_file\.Dockerfile-[0-9a-f]+\.json$/);
});

test("server command names differ from VS Code command ids", () => {
  for (const name of Object.values(SERVER_COMMANDS)) {
    assert.ok(["ballast.fixAll", "ballast.buildAndMeasure", "ballast.restartServer"].every((id) => id !== name));
  }
});
