# zsh -f tests/docs/zsh-complete.zsh FPATH-DIR "LINE": the matches zsh's
# completion system offers for LINE (TAB pressed at its end), one a line
# as <MATCH>.  It runs an interactive zsh on a pseudo-terminal (zpty) with
# FPATH-DIR first in $fpath, hooks compadd to print what is added, and
# marks the start and the end of one completion (compprefuncs and
# comppostfuncs); the shell exits after it.  Used by tests/docs/run.py.
zmodload zsh/zpty
local line=$2 setup out chunk
export CT_FPATH=$1
setup=$(mktemp)
cat >$setup <<'SETUP'
PROMPT= RPROMPT= LISTMAX=100000
fpath=($CT_FPATH $fpath)
autoload -Uz compinit && compinit -u -D
bindkey '^I' complete-word
_ct_mark() { print -r -- $'\n\x1e' }
compprefuncs=(_ct_mark)
comppostfuncs=(_ct_mark exit)
compadd() {
	local -a _ct_hits
	builtin compadd -O _ct_hits "$@"
	(( $#_ct_hits )) && print -rl -- $'\n'"<"${^_ct_hits}">"
	builtin compadd "$@"
}
print READY
SETUP
zpty z zsh -f -i
zpty -w z "source $setup"
out=
while zpty -r z chunk; do out+=$chunk; [[ $out == *READY$'\r'* ]] && break; done
zpty -w -n z "$line"$'\t'
out=
while zpty -r z chunk; do out+=$chunk; done
rm -f $setup
out=${out#*$'\x1e'}
out=${out%%$'\x1e'*}
print -rl -- ${(u)${(M)${(f)out//$'\r'}:#<*>}}
