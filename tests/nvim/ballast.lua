-- Drives `ballast lsp` from headless Neovim 0.7 or later, a real LSP client, and writes
-- what it received to a JSON file for tests/lsp_nvim.rs to check.
--
-- Environment: BALLAST (the binary), DOCKERFILE (the file to open), OUT (the JSON file).
-- Neovim 0.7 has vim.lsp.start_client but not vim.lsp.start, so the client is started and
-- attached by hand. Each wait ends when its reply arrives or when the server exits. The
-- timeout passed to vim.wait is there only because the function requires one.
local ballast = os.getenv('BALLAST')
local path = os.getenv('DOCKERFILE')
local out = os.getenv('OUT')
local forever = 2147483647

local result = { publishes = 0 }

local function finish(code)
  local file = io.open(out, 'w')
  file:write(vim.fn.json_encode(result))
  file:close()
  vim.cmd(code == 0 and 'qa!' or ('cquit ' .. code))
end

vim.cmd('edit ' .. vim.fn.fnameescape(path))
-- `-u NONE` turns filetype detection off; the language id sent is the filetype.
vim.bo.filetype = 'dockerfile'
local bufnr = vim.api.nvim_get_current_buf()
local uri = vim.uri_from_bufnr(bufnr)

local exited = false
local client_id = vim.lsp.start_client({
  name = 'ballast',
  cmd = { ballast, 'lsp', '--stdio' },
  root_dir = vim.fn.fnamemodify(path, ':p:h'),
  on_exit = function() exited = true end,
  handlers = {
    ['textDocument/publishDiagnostics'] = function(err, params, ctx, config)
      if params and params.uri == uri then
        result.publishes = result.publishes + 1
        result.diagnostics = params.diagnostics
      end
      return vim.lsp.diagnostic.on_publish_diagnostics(err, params, ctx, config)
    end,
  },
})
if not client_id then
  result.error = 'the client did not start'
  finish(2)
end
vim.lsp.buf_attach_client(bufnr, client_id)

vim.wait(forever, function() return result.diagnostics ~= nil or exited end, 10)
if exited then
  result.error = 'the server exited before publishing diagnostics'
  finish(3)
end

local client = vim.lsp.get_client_by_id(client_id)
result.capabilities = client.server_capabilities or client.resolved_capabilities

-- Hover on the keyword of the second line and completion at the start of the last line.
local function request(method, params)
  local answer
  client.request(method, params, function(err, value) answer = { err = err, value = value } end, bufnr)
  vim.wait(forever, function() return answer ~= nil or exited end, 10)
  if answer == nil then
    result.error = method .. ': the server exited'
    finish(4)
  end
  return answer.value
end
local document = { uri = uri }
result.hover = request('textDocument/hover', { textDocument = document, position = { line = 1, character = 1 } })
local lines = vim.api.nvim_buf_line_count(bufnr)
result.completion = request('textDocument/completion', { textDocument = document, position = { line = lines - 1, character = 0 } })
result.symbols = request('textDocument/documentSymbol', { textDocument = document })
result.nvim_diagnostics = #vim.diagnostic.get(bufnr)

vim.lsp.stop_client(client_id)
vim.wait(forever, function() return exited end, 10)
finish(0)
