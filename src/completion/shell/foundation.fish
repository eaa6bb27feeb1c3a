# foundation completion for fish, printed by "foundation completion fish".
#   this shell:    foundation completion fish | source
#   every shell:   foundation completion fish > ~/.config/fish/completions/foundation.fish
# Each Tab runs the foundation that was typed: foundation __complete fish <words up to the cursor>.
function __foundation_complete
    set -l words (commandline -opc) (commandline -ct)
    set -l lines (command $words[1] __complete fish $words[2..-1] 2>/dev/null)
    if test "$lines[1]" = :files
        # a file name, after the "=" of --out=... when there is one
        set -l token (commandline -ct)
        set -l option (string match -r -- '^-[^=]*=' $token)
        __fish_complete_path (string replace -- "$option" '' $token) | string replace -r -- '^' "$option"
        return
    end
    printf '%s\n' $lines
end
complete -c foundation -f -a '(__foundation_complete)'
