import assert from "node:assert/strict";
import { test } from "node:test";

import { serverSettings } from "../settings";

function reader(values: Record<string, unknown>) {
  return (key: string) => values[key];
}

test("defaults when nothing is set", () => {
  const { settings, problems } = serverSettings(reader({}));
  assert.deepEqual(settings, { select: [], ignore: [], severity: {}, shellcheck: true, sizeHints: true });
  assert.deepEqual(problems, []);
});

test("every key is passed under the server's name", () => {
  const { settings, problems } = serverSettings(
    reader({
      select: ["DL3008", " JSONArgsRecommended "],
      ignore: ["DL3059"],
      severity: { DL3008: "Error", BL1001: "off" },
      shellcheck: false,
      shellcheckPath: "/opt/shellcheck/bin/shellcheck",
      sizeHints: false,
    }),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(settings.select, ["DL3008", "JSONArgsRecommended"]);
  assert.deepEqual(settings.ignore, ["DL3059"]);
  assert.deepEqual(settings.severity, { DL3008: "error", BL1001: "off" });
  assert.equal(settings.shellcheck, false);
  assert.equal(settings.shellcheckPath, "/opt/shellcheck/bin/shellcheck");
  assert.equal(settings.sizeHints, false);
});

test("empty shellcheck path is left out", () => {
  const { settings } = serverSettings(reader({ shellcheckPath: "  " }));
  assert.equal("shellcheckPath" in settings, false);
});

test("invalid values are skipped and named", () => {
  const { settings, problems } = serverSettings(
    reader({
      select: "DL3008",
      ignore: ["DL3059", 7],
      severity: { DL3008: "fatal", DL3009: "info" },
      shellcheck: "yes",
      shellcheckPath: 3,
    }),
  );
  assert.deepEqual(settings.select, []);
  assert.deepEqual(settings.ignore, ["DL3059"]);
  assert.deepEqual(settings.severity, { DL3009: "info" });
  assert.equal(settings.shellcheck, true);
  assert.equal(problems.length, 5);
  assert.match(problems[0], /^ballast\.select: expected a list/);
  assert.match(problems[1], /^ballast\.ignore: expected a rule code, got 7/);
  assert.match(problems[2], /^ballast\.severity\.DL3008: expected one of error, warning, info, style, off/);
  assert.match(problems[3], /^ballast\.shellcheck: expected true or false/);
  assert.match(problems[4], /^ballast\.shellcheckPath: expected a path/);
});

test("severity that is not an object is rejected", () => {
  const { settings, problems } = serverSettings(reader({ severity: ["DL3008=error"] }));
  assert.deepEqual(settings.severity, {});
  assert.match(problems[0], /^ballast\.severity: expected an object/);
});
