-- Starts `ballast lsp` for Dockerfiles with Neovim's built-in client.
--
-- Neovim 0.11 and later: `vim.lsp.config` and `vim.lsp.enable`.
-- Neovim 0.8 to 0.10: `vim.lsp.start` on the dockerfile filetype.
-- Neovim 0.7: `vim.lsp.start_client` and `vim.lsp.buf_attach_client`, with one client per
-- root folder, because `vim.lsp.start` does not exist there.

local M = {}

--- `workspace/executeCommand` names the plugin sends when the server lists them in
--- `executeCommandProvider.commands`; both take `{ uri = ... }`.
M.server_commands = {
  fix_all = 'ballast.server.fixAll',
  load_build_report = 'ballast.server.loadBuildReport',
}

local defaults = {
  cmd = { 'ballast', 'lsp' },
  filetypes = { 'dockerfile' },
  -- The first folder upwards that contains one of these is the root; without one, the
  -- file's own folder is.
  root_markers = { '.ballast.toml', '.hadolint.yaml', '.hadolint.yml', '.git' },
  -- Server settings: select, ignore, severity, shellcheck, shellcheckPath, sizeHints.
  settings = {},
  on_attach = nil,
  capabilities = nil,
  -- Extra options for `ballast build` in :BallastBuild.
  build_arguments = {},
}

M.options = vim.deepcopy(defaults)

-- Client ids by root folder, for Neovim 0.7 where the plugin reuses clients itself.
local clients_by_root = {}

local function has_modern_config()
  return vim.fn.has('nvim-0.11') == 1 and vim.lsp.config ~= nil and vim.lsp.enable ~= nil
end

local function find_root(path)
  local folder = vim.fn.fnamemodify(path, ':p:h')
  local current = folder
  while true do
    for _, marker in ipairs(M.options.root_markers) do
      if vim.loop.fs_stat(current .. '/' .. marker) then
        return current
      end
    end
    local parent = vim.fn.fnamemodify(current, ':h')
    if parent == current then
      return folder
    end
    current = parent
  end
end

--- Returns the client configuration for one root folder.
function M.client_config(root_dir)
  local options = M.options
  return {
    name = 'ballast',
    cmd = options.cmd,
    root_dir = root_dir,
    init_options = { ballast = options.settings },
    settings = { ballast = options.settings },
    on_attach = options.on_attach,
    capabilities = options.capabilities,
  }
end

local function start_legacy(bufnr, root_dir)
  local id = clients_by_root[root_dir]
  if id == nil or vim.lsp.get_client_by_id(id) == nil or vim.lsp.client_is_stopped(id) then
    id = vim.lsp.start_client(M.client_config(root_dir))
    if id == nil then
      vim.notify('ballast: could not start ' .. table.concat(M.options.cmd, ' ') .. '; is ballast installed and on PATH?', vim.log.levels.ERROR)
      return
    end
    clients_by_root[root_dir] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

--- Starts or reuses a client for a buffer; the FileType autocommand calls it.
function M.attach(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local name = vim.api.nvim_buf_get_name(bufnr)
  local root_dir = name ~= '' and find_root(name) or vim.loop.cwd()

  if vim.fn.executable(M.options.cmd[1]) ~= 1 then
    vim.notify('ballast: ' .. M.options.cmd[1] .. ' was not found or is not executable; install ballast with `cargo install --locked --path .` in its repository or set cmd in require("ballast").setup{}', vim.log.levels.ERROR)
    return
  end
  if vim.lsp.start ~= nil then
    local config = M.client_config(root_dir)
    vim.lsp.start(config, { bufnr = bufnr })
  else
    start_legacy(bufnr, root_dir)
  end
end

local function ballast_clients(bufnr)
  local found = {}
  local all = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr }) or vim.lsp.buf_get_clients(bufnr)
  for _, client in pairs(all) do
    if client.name == 'ballast' then
      table.insert(found, client)
    end
  end
  return found
end

local function server_lists(client, command)
  local capabilities = client.server_capabilities or {}
  local provider = capabilities.executeCommandProvider or {}
  return vim.tbl_contains(provider.commands or {}, command)
end

local function apply_edit(client, edit)
  if type(edit) == 'table' and (edit.changes ~= nil or edit.documentChanges ~= nil) then
    vim.lsp.util.apply_workspace_edit(edit, client.offset_encoding or 'utf-16')
    return true
  end
  return false
end

--- Applies every safe fix to the buffer.
function M.fix_all(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local client = ballast_clients(bufnr)[1]
  if client == nil then
    vim.notify('ballast: no ballast client is attached to this buffer', vim.log.levels.WARN)
    return
  end
  local uri = vim.uri_from_bufnr(bufnr)

  if server_lists(client, M.server_commands.fix_all) then
    local params = { command = M.server_commands.fix_all, arguments = { { uri = uri, version = vim.lsp.util.buf_versions[bufnr] } } }
    client.request('workspace/executeCommand', params, function(err, result)
      if err ~= nil then
        vim.notify('ballast: fix all failed: ' .. tostring(err.message or err), vim.log.levels.ERROR)
        return
      end
      -- A server may return the edit instead of sending workspace/applyEdit.
      apply_edit(client, result)
    end, bufnr)
    return
  end

  local last_line = vim.api.nvim_buf_line_count(bufnr)
  local params = {
    textDocument = { uri = uri },
    range = { start = { line = 0, character = 0 }, ['end'] = { line = last_line, character = 0 } },
    context = { diagnostics = {}, only = { 'source.fixAll.ballast', 'source.fixAll' } },
  }
  client.request('textDocument/codeAction', params, function(err, actions)
    if err ~= nil then
      vim.notify('ballast: fix all failed: ' .. tostring(err.message or err), vim.log.levels.ERROR)
      return
    end
    for _, action in ipairs(actions or {}) do
      if apply_edit(client, action.edit) then
        return
      end
    end
    vim.notify('ballast: no safe fix applies to this file', vim.log.levels.INFO)
  end, bufnr)
end

--- Returns the `ballast build` arguments for one Dockerfile, its report file and extra options.
function M.build_command(dockerfile, report, extra)
  local command = { M.options.cmd[1], 'build', '--file', dockerfile, '--report', report, vim.fn.fnamemodify(dockerfile, ':h') }
  for _, argument in ipairs(extra or {}) do
    table.insert(command, argument)
  end
  return command
end

--- Runs `ballast build` on the buffer's file in a terminal window, then loads the report.
function M.build_and_measure(bufnr, extra)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local dockerfile = vim.api.nvim_buf_get_name(bufnr)
  if dockerfile == '' then
    vim.notify('ballast: save the Dockerfile before building it', vim.log.levels.WARN)
    return
  end
  if vim.bo[bufnr].modified then
    vim.api.nvim_buf_call(bufnr, function() vim.cmd('write') end)
  end

  local folder = vim.fn.stdpath('cache') .. '/ballast'
  vim.fn.mkdir(folder, 'p')
  local report = folder .. '/build-report-' .. vim.fn.sha256(dockerfile):sub(1, 16) .. '.json'
  local arguments = vim.list_extend(vim.deepcopy(M.options.build_arguments), extra or {})
  local command = M.build_command(dockerfile, report, arguments)

  vim.cmd('botright split')
  vim.cmd('enew')
  vim.fn.termopen(command, {
    cwd = vim.fn.fnamemodify(dockerfile, ':h'),
    on_exit = function(_, code)
      if code ~= 0 then
        vim.notify('ballast build exited with ' .. code .. '; see the terminal window', vim.log.levels.ERROR)
        return
      end
      local client = ballast_clients(bufnr)[1]
      if client ~= nil and server_lists(client, M.server_commands.load_build_report) then
        local params = { command = M.server_commands.load_build_report, arguments = { { uri = vim.uri_from_bufnr(bufnr), report = report } } }
        client.request('workspace/executeCommand', params, function() end, bufnr)
      else
        vim.notify('ballast: build report written to ' .. report, vim.log.levels.INFO)
      end
    end,
  })
end

--- Stops the ballast clients and starts them again for every open Dockerfile buffer.
function M.restart()
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    for _, client in ipairs(ballast_clients(bufnr)) do
      client.stop()
    end
  end
  clients_by_root = {}
  vim.defer_fn(function()
    for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(M.options.filetypes, vim.bo[bufnr].filetype) then
        M.attach(bufnr)
      end
    end
  end, 500)
end

local function define_filetypes()
  -- `vim.filetype.add` exists from Neovim 0.7; on 0.7 it is used only when
  -- `g:do_filetype_lua` is set, so ftdetect/ballast.vim covers that case.
  if vim.filetype ~= nil and vim.filetype.add ~= nil then
    vim.filetype.add({
      filename = { Containerfile = 'dockerfile' },
      pattern = {
        ['.*%.Dockerfile'] = 'dockerfile',
        ['Dockerfile%..*'] = 'dockerfile',
        ['Containerfile%..*'] = 'dockerfile',
      },
    })
  end
  vim.cmd([[
    augroup ballast_filetype
      autocmd!
      autocmd BufNewFile,BufRead Containerfile,Containerfile.*,*.Dockerfile,*.dockerfile,Dockerfile.* setf dockerfile
    augroup END
  ]])
end

local function define_commands()
  vim.api.nvim_create_user_command('BallastFixAll', function() M.fix_all() end, { desc = 'ballast: Fix all' })
  vim.api.nvim_create_user_command('BallastBuild', function(command) M.build_and_measure(nil, command.fargs) end, { nargs = '*', desc = 'ballast: Build and measure' })
  vim.api.nvim_create_user_command('BallastRestart', function() M.restart() end, { desc = 'ballast: Restart server' })
end

--- Configures the plugin and starts the server on dockerfile buffers.
---
--- opts: cmd, filetypes, root_markers, settings, on_attach, capabilities, build_arguments.
function M.setup(opts)
  M.options = vim.tbl_deep_extend('force', vim.deepcopy(defaults), opts or {})
  -- vim.tbl_deep_extend merges list tables by index; lists given by the user replace the defaults.
  for _, key in ipairs({ 'cmd', 'filetypes', 'root_markers', 'build_arguments' }) do
    if opts ~= nil and opts[key] ~= nil then
      M.options[key] = opts[key]
    end
  end
  define_filetypes()
  define_commands()

  if has_modern_config() then
    local config = M.client_config(nil)
    config.root_dir = nil
    config.name = nil
    config.filetypes = M.options.filetypes
    config.root_markers = M.options.root_markers
    vim.lsp.config('ballast', config)
    vim.lsp.enable('ballast')
    return
  end

  local group = vim.api.nvim_create_augroup('ballast_lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = M.options.filetypes,
    callback = function(event) M.attach(event.buf) end,
  })
  -- Buffers opened before setup ran.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(M.options.filetypes, vim.bo[bufnr].filetype) then
      M.attach(bufnr)
    end
  end
end

return M
