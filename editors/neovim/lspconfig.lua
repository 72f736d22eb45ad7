-- ballast with nvim-lspconfig, for setups that configure every server through it.
-- nvim-lspconfig has no built-in entry for ballast, so this registers one.
local configs = require('lspconfig.configs')
local util = require('lspconfig.util')

if not configs.ballast then
  configs.ballast = {
    default_config = {
      cmd = { 'ballast', 'lsp' },
      filetypes = { 'dockerfile' },
      root_dir = util.root_pattern('.ballast.toml', '.hadolint.yaml', '.hadolint.yml', '.git'),
      single_file_support = true,
      -- Server settings: select, ignore, severity, shellcheck, shellcheckPath, sizeHints.
      init_options = { ballast = {} },
      settings = { ballast = {} },
    },
  }
end

require('lspconfig').ballast.setup({
  settings = { ballast = { severity = { DL3008 = 'off' } } },
})
