" Dockerfile names that older Vim and Neovim runtimes do not map to the dockerfile filetype.
" `setf` keeps a filetype that is already set.
autocmd BufNewFile,BufRead Containerfile,Containerfile.*,*.Dockerfile,*.dockerfile,Dockerfile.* setf dockerfile
