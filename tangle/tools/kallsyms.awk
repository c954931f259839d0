# Tangled from chapters/12-dispatch.nw by 'make tangle'. Edit the chapter, not this file.
# Turn `nm -n` output into the kernel's symbol table (kallsyms).
BEGIN { n = 0 }
($2 == "t" || $2 == "T") && $1 ~ /^ffffffff8/ && $3 !~ /^__/ {
	addr[n] = $1; name[n] = $3; n++
}
END {
	print "\t.section .kallsyms, \"a\""
	print "\t.globl kallsyms_num, kallsyms_addresses, kallsyms_offsets, kallsyms_names"
	print "\t.balign 8"
	print "kallsyms_num:\n\t.quad " n
	print "kallsyms_addresses:"
	for (i = 0; i < n; i++) print "\t.quad 0x" addr[i]
	print "kallsyms_offsets:"
	off = 0
	for (i = 0; i < n; i++) { print "\t.long " off; off += length(name[i]) + 1 }
	print "kallsyms_names:"
	for (i = 0; i < n; i++) print "\t.asciz \"" name[i] "\""
}
