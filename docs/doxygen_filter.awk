# Doxygen INPUT_FILTER for libmm's headers (awk -f doxygen_filter.awk FILE):
# reads their plain /* */ contract comments as documentation, so the
# headers need no Doxygen markup.
#   - the comment that opens a file documents the file (@file); a file
#     without one is marked as a file all the same, so that Doxygen reports
#     its undocumented members;
#   - a comment at the start of a line documents the declaration right
#     after it; one followed by a blank line (a section heading) documents
#     nothing, so it cannot hide an undocumented declaration further down;
#   - a comment after code on the same line documents that code (/**<);
#   - the comment that heads a paragraph (declarations with no blank line
#     between them, e.g. mm_port_op_begin and mm_port_op_end) documents
#     each declaration of it that has no comment of its own: those get
#     "/**< @copydoc <first> */" at the end of their last line.
# Line numbers are kept, so Doxygen's warnings point into the real header.

# The name a declaration line declares: a macro or a function, else "".
function decl_name(s)
{
	if (match(s, /^#[ \t]*define[ \t]+[A-Za-z_][A-Za-z_0-9]*/)) {
		s = substr(s, RSTART, RLENGTH)
		sub(/^#[ \t]*define[ \t]+/, "", s)
		return s
	}
	if (s ~ /^#/ || s !~ /\(/)
		return ""
	if (match(s, /[A-Za-z_][A-Za-z_0-9]*\(/))
		return substr(s, RSTART, RLENGTH - 1)
	return ""
}

# Whether the declaration that this line belongs to goes on after it.
function continues(s, in_macro)
{
	if (in_macro)
		return s ~ /\\$/
	sub(/[ \t]*\/\*.*$/, "", s)
	return s !~ /[;}][ \t]*$/
}

# Index of the line that closes the comment opening on line i.
function comment_end(i)
{
	while (i < n && line[i] !~ /\*\//)
		i++
	return i
}

# Lines [i, j] hold a comment that starts a line.
function block_comment(i, j)
{
	if (!seen)
		sub(/\/\*/, "/** @file", line[i])
	else if (j < n && line[j + 1] !~ /^[ \t]*$/) {
		sub(/\/\*/, "/**", line[i])
		doc = 1
	}
	seen = 1
	for (; i <= j; i++)
		print line[i]
}

# A line of code, possibly ending in a comment that documents it.
function code_line(s, own, directive, name)
{
	if (!seen && s !~ /\/\*/)
		s = s " /** @file */"
	seen = 1
	directive = s ~ /^#[ \t]*(if|ifdef|ifndef|elif|else|endif|include)/
	if (!directive && match(s, /[^ \t][^\/]*\/\*([^*]|$)/)) {
		sub(/\/\*/, "/**<", s)
		own = 1
	}
	if (!open && s ~ /^[A-Za-z_#]/) {
		in_macro = s ~ /^#/
		name = decl_name(s)
		if (group == "" && doc)
			group = name
		else if (name != "" && !doc && !own)
			copy = group != ""
		doc = 0
	}
	open = continues(s, in_macro)
	if (copy && (own || s ~ /\/\*/))
		copy = 0
	if (copy && !open) {
		s = s " /**< @copydoc " group " */"
		copy = 0
	}
	print s
}

BEGIN {
	while ((getline l < ARGV[1]) > 0)
		line[++n] = l
	for (i = 1; i <= n; i++) {
		if (line[i] ~ /^[ \t]*$/) {
			group = ""; doc = 0; copy = 0
			print line[i]
		} else if (!open && line[i] ~ /^[ \t]*\/\*([^*]|$)/) {
			j = comment_end(i)
			block_comment(i, j)
			i = j
		} else {
			code_line(line[i])
			# A comment that code opens runs on: copy it through.
			if (line[i] ~ /\/\*/ && line[i] !~ /\*\/[^\/]*$/)
				for (j = comment_end(i); i < j; )
					print line[++i]
		}
	}
	exit
}
