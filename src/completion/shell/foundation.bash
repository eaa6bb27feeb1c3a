# foundation completion for bash (4.0 or newer), printed by "foundation completion bash".
#   this shell:    source <(foundation completion bash)
#   every shell:   foundation completion bash > ~/.local/share/bash-completion/completions/foundation
# Each Tab runs the foundation that was typed: foundation __complete bash <words up to the cursor>.
_foundation_complete() {
  local -a lines
  mapfile -t lines < <("${COMP_WORDS[0]}" __complete bash "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  if [[ ${lines[0]-} == :files ]]; then
    COMPREPLY=()
    compopt -o default
    return 0
  fi
  COMPREPLY=("${lines[@]%%$'\t'*}")
}
complete -F _foundation_complete foundation
