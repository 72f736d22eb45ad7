;;; ballast.el --- ballast language server for Dockerfiles in eglot and lsp-mode  -*- lexical-binding: t; -*-

;; Load this file from your init file, for example:
;;   (load "/path/to/ballast/editors/emacs/ballast.el")
;; It needs a Dockerfile major mode: `dockerfile-mode' (MELPA) or `dockerfile-ts-mode'
;; (Emacs 29 and later).

;;; Code:

(defgroup ballast nil
  "The ballast language server for Dockerfiles."
  :group 'tools)

(defcustom ballast-command '("ballast" "lsp")
  "The command that starts the ballast language server."
  :type '(repeat string))

(defcustom ballast-settings '(:select [] :ignore [] :severity nil :shellcheck t :sizeHints t)
  "Server settings, sent as initializationOptions under the key `ballast'.
Keys: :select and :ignore (vectors of rule codes), :severity (a plist such as
\(:DL3008 \"error\")), :shellcheck, :shellcheckPath, :sizeHints."
  :type 'plist)

;; File names that Dockerfile modes may not cover.
(dolist (pattern '("/Containerfile\\'" "/Containerfile\\.[^/]*\\'"
                   "\\.Dockerfile\\'" "/Dockerfile\\.[^/]*\\'"))
  (add-to-list 'auto-mode-alist
               (cons pattern (if (fboundp 'dockerfile-ts-mode) 'dockerfile-ts-mode 'dockerfile-mode))))

;;;; eglot (built in since Emacs 29)

(with-eval-after-load 'eglot
  ;; eglot derives the languageId from the mode name, so dockerfile-ts-mode can arrive as
  ;; "dockerfile-ts"; ballast accepts any languageId, and :language-id makes it "dockerfile".
  (add-to-list 'eglot-server-programs
               `(((dockerfile-mode :language-id "dockerfile")
                  (dockerfile-ts-mode :language-id "dockerfile"))
                 . (,@ballast-command :initializationOptions (:ballast ,ballast-settings))))
  (setq-default eglot-workspace-configuration
                (plist-put (default-value 'eglot-workspace-configuration) :ballast ballast-settings)))

;;;; lsp-mode

(with-eval-after-load 'lsp-mode
  (add-to-list 'lsp-language-id-configuration '(dockerfile-ts-mode . "dockerfile"))
  (lsp-register-client
   (make-lsp-client
    :new-connection (lsp-stdio-connection (lambda () ballast-command))
    :activation-fn (lsp-activate-on "dockerfile")
    :initialization-options (lambda () (list :ballast ballast-settings))
    :server-id 'ballast
    ;; Above lsp-mode's own dockerfile-ls (priority -1), so ballast is picked first.
    :priority 1)))

(provide 'ballast)
;;; ballast.el ends here
