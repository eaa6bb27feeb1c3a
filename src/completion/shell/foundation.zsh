#compdef foundation
# foundation completion for zsh, printed by "foundation completion zsh".
#   this shell:    source <(foundation completion zsh)      (after compinit)
#   every shell:   foundation completion zsh > "${fpath[1]}/_foundation"
# Each Tab runs the foundation that was typed: foundation __complete zsh <words up to the cursor>.
_foundation() {
  local -a lines described
  local line
  lines=("${(@f)$("${words[1]}" __complete zsh "${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ ${lines[1]} == :files ]]; then
    [[ $PREFIX == -*=* ]] && compset -P '*='
    _files
    return
  fi
  for line in "${lines[@]}"; do
    [[ -n $line ]] && described+=("${${line%%$'\t'*}//:/\\:}:${line#*$'\t'}")
  done
  (( ${#described} )) && _describe -t foundation foundation described
}
# On $fpath this file is the body of _foundation itself; sourced, it registers the function.
if [[ ${funcstack[1]} == _foundation ]]; then
  _foundation "$@"
else
  compdef _foundation foundation
fi
