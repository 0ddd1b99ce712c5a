# bash completion for scorer(1): commands, their options, option values
# (files, directories, formats, check names) and finding ids for explain.
# `make install` puts it in PREFIX/share/bash-completion/completions/scorer,
# where bash-completion loads it on demand; or source it from ~/.bashrc.
# Standalone: it uses only bash's compgen, not bash-completion's helpers.
# tests/docs/run.py checks it offers exactly the options of each --help.

_scorer_commands='check batch report diff spf explain corpus help'
_scorer_common='-r --resolver --rules -t --timeout --allow-loopback
	--smtp-port --mx-sessions --https-port --ns-port --rdap-bootstrap
	--rdap-rate --ca-file --breach-corpus --breach-api --breach-api-key --skip
	--cache-size --threat-model'
_scorer_checks='mx starttls disposable lookalike dmarc tlsrpt spf mta_sts
	breach ns rdap dane interception'

# Whether an option takes a value (the next word).
_scorer_valued()
{
	case $1 in
	-r | --resolver | -t | --timeout | --rules | --smtp-port | --mx-sessions | \
		--https-port | --ns-port | --rdap-bootstrap | --rdap-rate | --enrolled | \
		--enrolled-column | \
		--ca-file | --breach-corpus | --breach-api | --breach-api-key | \
		--skip | --cache-size | --threat-model | --input | -o | --output | \
		--format | \
		--column | --concurrency | --summary | --rows | --top | \
		--max-domains | --memory | --ip | --sender | --helo | \
		--fail-on | --baseline | --max-users) return 0 ;;
	esac
	return 1
}

# The options of a command ("corpus build" for corpus subcommands).
_scorer_options()
{
	case $1 in
	check) echo "-j --json -q --quiet --enrolled $_scorer_common -h --help" ;;
	batch) echo "--input -o --output --format --column --enrolled-column
		--numbered --concurrency --resume --summary -q --quiet --evidence
		--fail-on $_scorer_common -h --help" ;;
	report) echo "-o --output --rows --top --max-domains --show-addresses
		--baseline --rules -h --help" ;;
	diff) echo "--format -o --output --max-users --max-domains -h --help" ;;
	spf) echo "--ip --sender --helo -j --json -r --resolver -t --timeout
		--rules -h --help" ;;
	explain) echo "--list -j --json --rules -h --help" ;;
	corpus) echo "-h --help" ;;
	"corpus build") echo "--memory -q --quiet --allow-empty -h --help" ;;
	"corpus lookup") echo "--rules -h --help" ;;
	"corpus info") echo "-h --help" ;;
	esac
}

_scorer()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local cmd="" sub="" word i rules=() done_opts=0 operands=0

	COMPREPLY=()
	# The command, a corpus subcommand, --rules DIR (for the finding ids)
	# and whether "--" has ended the options.
	for ((i = 1; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		if [ "$word" = -- ]; then
			done_opts=1
		elif [ "$word" = --rules ] && [ $((i + 1)) -lt "$COMP_CWORD" ]; then
			rules=(--rules "${COMP_WORDS[i + 1]}")
		elif [[ $word != -* ]] && { [ "$done_opts" = 1 ] ||
			! _scorer_valued "${COMP_WORDS[i - 1]}"; }; then
			if [ -z "$cmd" ]; then
				cmd=$word
			elif [ "$cmd" = corpus ] && [ -z "$sub" ]; then
				sub=$word
			else
				operands=$((operands + 1))
			fi
		fi
	done
	if [ -z "$cmd" ]; then
		mapfile -t COMPREPLY < <(compgen -W \
			"$_scorer_commands -h --help -V --version" -- "$cur")
		return
	fi

	if [ "$done_opts" = 0 ]; then
		case $prev in
		--rules)
			mapfile -t COMPREPLY < <(compgen -d -- "$cur")
			return ;;
		--input | --output | -o | --summary | --ca-file | --breach-corpus | \
			--baseline | --rdap-bootstrap)
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return ;;
		--format)
			if [ "$cmd" = diff ]; then
				mapfile -t COMPREPLY < <(compgen -W 'text jsonl' -- "$cur")
			else
				mapfile -t COMPREPLY < <(compgen -W 'jsonl csv' -- "$cur")
			fi
			return ;;
		--fail-on)
			# a comma-separated list: complete its last word
			local head=""
			[[ $cur == *,* ]] && head=${cur%,*},
			mapfile -t COMPREPLY < <(compgen -P "$head" -W 'insecure error
				critical high medium low info' -- "${cur##*,}")
			compopt -o nospace 2>/dev/null
			return ;;
		--skip)
			# a comma-separated list: complete its last name
			local head=""
			[[ $cur == *,* ]] && head=${cur%,*},
			mapfile -t COMPREPLY < <(compgen -P "$head" \
				-W "$_scorer_checks" -- "${cur##*,}")
			compopt -o nospace 2>/dev/null
			return ;;
		esac
		# a value scorer cannot guess
		_scorer_valued "$prev" && return
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W \
				"$(_scorer_options "$cmd${sub:+ $sub}")" -- "$cur")
			return
		fi
	fi

	case $cmd in
	help)
		[ "$operands" = 0 ] && mapfile -t COMPREPLY < <(compgen -W \
			"${_scorer_commands% help}" -- "$cur") ;;
	explain)
		mapfile -t COMPREPLY < <(compgen -W "$("${COMP_WORDS[0]}" \
			explain --list "${rules[@]}" 2>/dev/null |
			while read -r word _; do echo "$word"; done)" -- "$cur") ;;
	corpus)
		if [ -z "$sub" ]; then
			mapfile -t COMPREPLY < <(compgen -W 'build lookup info' \
				-- "$cur")
		elif [ "$sub" != lookup ] || [ "$operands" = 0 ]; then
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		fi ;;
	batch | report | diff)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	esac # check and spf: addresses are the user's
}
complete -F _scorer scorer
