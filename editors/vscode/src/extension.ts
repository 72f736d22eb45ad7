// Starts `ballast lsp` for Dockerfiles and adds the commands "ballast: Build and measure",
// "ballast: Fix all" and "ballast: Restart server".

import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  CodeActionKind,
  CodeActionRequest,
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
  WorkspaceEdit as ProtocolWorkspaceEdit,
} from "vscode-languageclient/node";

import { buildArguments, FIX_ALL_KIND, reportFileName, SERVER_COMMANDS } from "./build";
import { processEnvironment, resolveServer } from "./serverPath";
import { serverSettings, ServerSettings } from "./settings";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("ballast");
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("ballast.restartServer", () => restart(context)),
    vscode.commands.registerCommand("ballast.fixAll", () => fixAll()),
    vscode.commands.registerCommand("ballast.buildAndMeasure", () => buildAndMeasure(context)),
    vscode.workspace.onDidChangeConfiguration((event) => onConfigurationChange(event, context)),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}

/** Reads the `ballast.*` settings in the server's shape and logs the values it skipped. */
function currentSettings(): ServerSettings {
  const configuration = vscode.workspace.getConfiguration("ballast");
  const { settings, problems } = serverSettings((key) => configuration.get(key));
  for (const problem of problems) {
    output.appendLine(`invalid setting, skipped: ${problem}`);
  }
  return settings;
}

function firstWorkspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const configured = vscode.workspace.getConfiguration("ballast").get<string>("path");
  const resolution = resolveServer(configured, processEnvironment(firstWorkspaceFolder()));
  if ("error" in resolution) {
    output.appendLine(resolution.error);
    void offerInstallHelp(context, resolution.error);
    return;
  }

  const serverOptions: ServerOptions = {
    command: resolution.command,
    args: ["lsp", "--stdio"],
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "dockerfile" },
      { scheme: "untitled", language: "dockerfile" },
      // Names that another extension may have assigned to a different language.
      { scheme: "file", pattern: "**/{Dockerfile,Containerfile,*.Dockerfile,Dockerfile.*,Containerfile.*}" },
    ],
    initializationOptions: { ballast: currentSettings() },
    outputChannel: output,
    middleware: {
      workspace: {
        // Replies to `workspace/configuration` for the `ballast` section with the same
        // translated settings that `initializationOptions` carried.
        configuration: (params, token, next) => {
          return params.items.map((item) => {
            if (item.section === undefined || item.section === "ballast") {
              return currentSettings();
            }
            return null;
          });
        },
      },
    },
  };

  client = new LanguageClient("ballast", "ballast", serverOptions, clientOptions);
  try {
    await client.start();
    output.appendLine(`started ${resolution.command} lsp --stdio`);
  } catch (error) {
    const message = `ballast lsp failed to start (${resolution.command}): ${String(error)}`;
    output.appendLine(message);
    client = undefined;
    void offerInstallHelp(context, message);
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running !== undefined) {
    await running.stop();
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await stop();
  await start(context);
}

async function onConfigurationChange(event: vscode.ConfigurationChangeEvent, context: vscode.ExtensionContext): Promise<void> {
  if (event.affectsConfiguration("ballast.path")) {
    await restart(context);
    return;
  }
  if (event.affectsConfiguration("ballast") && client !== undefined) {
    await client.sendNotification(DidChangeConfigurationNotification.type, { settings: { ballast: currentSettings() } });
  }
}

async function offerInstallHelp(context: vscode.ExtensionContext, message: string): Promise<void> {
  const install = "Install instructions";
  const choose = "Set ballast.path";
  const picked = await vscode.window.showErrorMessage(message, install, choose);
  if (picked === install) {
    // The install steps ship inside the extension, so the link works offline.
    const readme = vscode.Uri.joinPath(context.extensionUri, "README.md");
    await vscode.commands.executeCommand("markdown.showPreview", readme);
  } else if (picked === choose) {
    await vscode.commands.executeCommand("workbench.action.openSettings", "ballast.path");
  }
}

function activeDockerfile(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showWarningMessage("ballast: open a Dockerfile first.");
  }
  return editor;
}

function serverLists(command: string): boolean {
  const commands = client?.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  return commands.includes(command);
}

async function fixAll(): Promise<void> {
  const editor = activeDockerfile();
  if (editor === undefined) {
    return;
  }
  if (client === undefined) {
    void vscode.window.showErrorMessage("ballast: the language server is not running; run ballast: Restart server.");
    return;
  }
  const uri = client.code2ProtocolConverter.asUri(editor.document.uri);

  if (serverLists(SERVER_COMMANDS.fixAll)) {
    const result = await client.sendRequest(ExecuteCommandRequest.type, {
      command: SERVER_COMMANDS.fixAll,
      arguments: [{ uri, version: editor.document.version }],
    });
    // A server may return the edit instead of sending `workspace/applyEdit`.
    if (result !== null && typeof result === "object" && ("changes" in result || "documentChanges" in result)) {
      const edit = await client.protocol2CodeConverter.asWorkspaceEdit(result as ProtocolWorkspaceEdit);
      await vscode.workspace.applyEdit(edit);
    }
    return;
  }

  const actions = await client.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: client.code2ProtocolConverter.asRange(new vscode.Range(0, 0, editor.document.lineCount, 0)),
    context: { diagnostics: [], only: [FIX_ALL_KIND, CodeActionKind.SourceFixAll] },
  });
  for (const action of actions ?? []) {
    const edit = "edit" in action ? action.edit : undefined;
    if (edit !== undefined) {
      await vscode.workspace.applyEdit(await client.protocol2CodeConverter.asWorkspaceEdit(edit));
      return;
    }
  }
  void vscode.window.showInformationMessage("ballast: no safe fix applies to this file.");
}

async function buildAndMeasure(context: vscode.ExtensionContext): Promise<void> {
  const editor = activeDockerfile();
  if (editor === undefined) {
    return;
  }
  const document = editor.document;
  if (document.uri.scheme !== "file") {
    void vscode.window.showWarningMessage("ballast: save the Dockerfile to disk before building it.");
    return;
  }
  if (document.isDirty && !(await document.save())) {
    return;
  }

  const configured = vscode.workspace.getConfiguration("ballast").get<string>("path");
  const resolution = resolveServer(configured, processEnvironment(firstWorkspaceFolder()));
  if ("error" in resolution) {
    void offerInstallHelp(context, resolution.error);
    return;
  }

  const storage = context.storageUri ?? context.globalStorageUri;
  fs.mkdirSync(storage.fsPath, { recursive: true });
  const report = path.join(storage.fsPath, reportFileName(document.uri.fsPath));
  const extra = vscode.workspace.getConfiguration("ballast").get<string[]>("build.arguments") ?? [];
  const args = buildArguments(document.uri.fsPath, report, extra);

  // A task runs in the terminal panel, so the builder's progress stays visible and the
  // build can be stopped from there.
  const task = new vscode.Task(
    { type: "process", command: resolution.command, args },
    vscode.workspace.getWorkspaceFolder(document.uri) ?? vscode.TaskScope.Workspace,
    `build and measure ${path.basename(document.uri.fsPath)}`,
    "ballast",
    new vscode.ProcessExecution(resolution.command, args, { cwd: path.dirname(document.uri.fsPath) }),
  );
  const execution = await vscode.tasks.executeTask(task);
  const exitCode = await new Promise<number | undefined>((resolve) => {
    const listener = vscode.tasks.onDidEndTaskProcess((event) => {
      if (event.execution === execution) {
        listener.dispose();
        resolve(event.exitCode);
      }
    });
  });
  if (exitCode !== 0) {
    void vscode.window.showErrorMessage(`ballast build exited with ${exitCode ?? "no exit code"}; see the terminal.`);
    return;
  }

  if (client !== undefined && serverLists(SERVER_COMMANDS.loadBuildReport)) {
    await client.sendRequest(ExecuteCommandRequest.type, {
      command: SERVER_COMMANDS.loadBuildReport,
      arguments: [{ uri: client.code2ProtocolConverter.asUri(document.uri), report }],
    });
    return;
  }
  const open = "Open report";
  if ((await vscode.window.showInformationMessage(`ballast: build report written to ${report}`, open)) === open) {
    await vscode.window.showTextDocument(vscode.Uri.file(report));
  }
}
