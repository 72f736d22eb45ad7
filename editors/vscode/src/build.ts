// The `ballast build` command line of "ballast: Build and measure", and the names of the
// commands the extension sends to the server. This module does not import `vscode`.

import * as path from "node:path";

/**
 * `workspace/executeCommand` names the extension sends when the server lists them in
 * `executeCommandProvider.commands`. Both take one argument, an object with the document
 * `uri`. They differ from the VS Code command ids (`ballast.fixAll`, ...) because
 * vscode-languageclient registers every command the server lists as a VS Code command, and
 * two registrations of one id fail.
 */
export const SERVER_COMMANDS = {
  /** Applies every safe fix to the document. The server sends `workspace/applyEdit`, or
   * returns a `WorkspaceEdit` that the extension applies. */
  fixAll: "ballast.server.fixAll",
  /** Reads the build report at `report` (a file path) and shows the size hints for `uri`. */
  loadBuildReport: "ballast.server.loadBuildReport",
} as const;

/** The code action kind the extension asks for when the server has no fix-all command. */
export const FIX_ALL_KIND = "source.fixAll.ballast";

/**
 * Returns the arguments of `ballast build` for one Dockerfile. The build context is the
 * Dockerfile's folder unless the user names another; options from `ballast.build.arguments`
 * come after the context, so a `--` among them still passes the rest to the builder.
 */
export function buildArguments(dockerfile: string, report: string, extra: readonly string[], context?: string): string[] {
  const contextFolder = context ?? path.dirname(dockerfile);
  return ["build", "--file", dockerfile, "--report", report, contextFolder, ...extra];
}

/** Returns a report file name that is stable for one Dockerfile path. */
export function reportFileName(dockerfile: string): string {
  let hash = 0;
  for (const char of dockerfile) {
    hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  }
  return `build-report-${path.basename(dockerfile).replace(/[^A-Za-z0-9._-]/g, "_")}-${hash.toString(16)}.json`;
}
