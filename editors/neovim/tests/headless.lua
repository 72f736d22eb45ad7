-- Headless check of the plugin with a real ballast server:
--
--   BALLAST=/path/to/ballast nvim --headless -u NONE -i NONE -n \
--     -c 'luafile editors/neovim/tests/headless.lua'
--
-- Run from the repository root. It loads the plugin from editors/neovim, checks filetype
-- detection of the extra Dockerfile names, opens a Dockerfile with a known finding, waits
-- for the server's diagnostics and exits 0, or exits 1 with the reason on standard error.

local function fail(message)
  io.stderr:write('FAIL: ' .. message .. '\n')
  vim.cmd('cquit 1')
end

local binary = os.getenv('BALLAST')
if binary == nil or binary == '' then
  fail('set BALLAST to the ballast program')
  return
end

vim.opt.runtimepath:prepend(vim.fn.getcwd() .. '/editors/neovim')
vim.cmd('filetype on')
require('ballast').setup({ cmd = { binary, 'lsp' }, settings = { shellcheck = false } })

local folder = vim.fn.tempname()
vim.fn.mkdir(folder, 'p')

for _, name in ipairs({ 'Containerfile', 'web.Dockerfile', 'Dockerfile.dev', 'Containerfile.prod' }) do
  local path = folder .. '/' .. name
  vim.fn.writefile({ 'FROM alpine:3.20' }, path)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  if vim.bo.filetype ~= 'dockerfile' then
    fail(name .. ' got filetype "' .. vim.bo.filetype .. '", expected dockerfile')
    return
  end
end

-- `apt-get install` without `--no-install-recommends` and an untagged image are findings
-- of hadolint's DL3015 and DL3006, which ballast reports too.
local dockerfile = folder .. '/Dockerfile'
vim.fn.writefile({ 'FROM debian', 'RUN apt-get update && apt-get install -y curl' }, dockerfile)
vim.cmd('edit ' .. vim.fn.fnameescape(dockerfile))
local bufnr = vim.api.nvim_get_current_buf()

-- Waits as long as the server runs; a server that exits without publishing fails the check.
local function server_running()
  for _, client in pairs(vim.lsp.get_active_clients()) do
    if client.name == 'ballast' and not client.is_stopped() then
      return true
    end
  end
  return false
end
while #vim.diagnostic.get(bufnr) == 0 do
  vim.wait(1000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
  if not server_running() then
    fail('the ballast server stopped before it published diagnostics for ' .. dockerfile)
    return
  end
end

local codes = {}
for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
  table.insert(codes, tostring(diagnostic.code))
end
io.stdout:write('diagnostics: ' .. table.concat(codes, ' ') .. '\n')
if not vim.tbl_contains(codes, 'DL3006') then
  fail('expected DL3006 among ' .. table.concat(codes, ' '))
  return
end

for _, client in pairs(vim.lsp.get_active_clients()) do
  client.stop()
end
vim.cmd('qa!')
