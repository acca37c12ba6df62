# ruff: noqa: E501
"""Cases for the differential test: each runs through pykro's engine and through Go (tools/gotemplate-check).

A case is (template, data) or (template, data, options) with options among missingkey ("default", "zero",
"error") and funcs ("lynq" (default: Sprig + Lynq's functions, what LynqForms see) or "sprig").
Nondeterministic functions (now, rand*, uuidv4, shuffle) are tested by property in test_functions.py.
"""

from __future__ import annotations

import random
from typing import Any

D: dict[str, Any] = {
    "s": "hello",
    "e": "",
    "n": 3,
    "z": 0,
    "neg": -7,
    "f": 1.5,
    "big": 1234567.0,
    "tiny": 0.00001,
    "t": True,
    "no": False,
    "nil": None,
    "l": ["a", "b", "c"],
    "nums": [3, 1, 2],
    "mixed": [1, "x", None, 2.5, True],
    "empty_l": [],
    "m": {"k": "v", "a": 1, "z": [1, 2]},
    "empty_m": {},
    "nested": {"a": {"b": {"c": "deep"}}, "nil": None},
    "uid": "acme-corp",
    "url": "https://acme.example.com:8443/path?q=1",
    "json": '{"apiKey":"sk-1","port":8080,"tags":["x","y"],"nested":{"on":true}}',
    "long": "a-very-long-tenant-identifier-that-goes-well-beyond-the-kubernetes-limit-of-63",
    "unicode": "héllo wörld",
    "spaces": "  padded\t\n",
    "csv": "a,b,,c",
    "num_s": "42",
    "float_s": "2.75",
    "bool_s": "yes",
}

Case = tuple[str, Any] | tuple[str, Any, dict[str, str]]

CASES: list[Case] = [
    # --- text, actions, trim markers, comments
    ("plain", D),
    ("", D),
    ("{{ .s }}", D),
    ("a {{- .s -}} b", D),
    ("a\n  {{- .s }}\n  b", D),
    ("{{ .s -}}\n\n  x", D),
    ("{{/* a comment */}}x", D),
    ("x {{- /* trimmed comment */ -}} y", D),
    ("{{-3}}", D),
    ("{{ -3 }}", D),
    ("{{ .s }}{{ .n }}{{ .f }}", D),
    ("{{\n.s\n}}", D),
    # --- printing Go values
    ("{{ .l }}", D),
    ("{{ .m }}", D),
    ("{{ .mixed }}", D),
    ("{{ .nested }}", D),
    ("{{ .empty_l }} {{ .empty_m }}", D),
    ("{{ .nil }}", D),
    ("{{ .missing }}", D),
    ("{{ . }}", {"a": 1}),
    ("{{ . }}", None),
    ("{{ . }}", "str"),
    ("{{ . }}", [1, 2]),
    ("{{ .t }} {{ .no }}", D),
    ("{{ .big }} {{ .tiny }} {{ .f }}", D),
    ("{{ 1.0 }} {{ 1e6 }} {{ 123456.0 }} {{ 1e21 }} {{ 0.000123 }} {{ 1e-7 }}", D),
    ("{{ 0x1F }} {{ 0o17 }} {{ 017 }} {{ 0b101 }} {{ 1_000 }} {{ 'a' }} {{ '\\n' }}", D),
    ("{{ -0.0 }} {{ 2.5e3 }} {{ 0x1p4 }}", D),
    ('{{ "quoted \\"x\\" \\t" }} {{ `raw \\n` }}', D),
    ("{{ true }} {{ false }}", D),
    ("{{ nil }}", D),
    ("{{ 99999999999999999999 }}", D),
    # --- fields, variables, chains
    ("{{ .nested.a.b.c }}", D),
    ("{{ .nested.a.missing.x }}", D),
    ("{{ .nested.nil.x }}", D),
    ("{{ .s.x }}", D),
    ("{{ .l.x }}", D),
    ("{{ $x := .s }}{{ $x }}", D),
    ("{{ $x := .nested }}{{ $x.a.b.c }}", D),
    ("{{ $x := 1 }}{{ $x = 2 }}{{ $x }}", D),
    ("{{ $ }}", {"a": 1}),
    ("{{ $.s }}", D),
    ("{{ (.nested).a.b.c }}", D),
    ('{{ (index .nested "a").b.c }}', D),
    ("{{ $x := .missing }}{{ $x }}{{ $x.y }}", D),
    ("{{ $y }}", D),
    ("{{ if true }}{{ $x := 1 }}{{ end }}{{ $x }}", D),
    ("{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}", D),
    ("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", D),
    ('{{ .s | printf "%s-%s" "x" }}', D),
    ("{{ .s | .n }}", D),
    ("{{ .s 1 }}", D),
    ("{{ 1 | 2 }}", D),
    ("{{ (1) 2 }}", D),
    ("{{ .m.k.z }}", D),
    # --- missingkey modes
    ("{{ .missing }}", D, {"missingkey": "zero"}),
    ("{{ .missing.x }}", D, {"missingkey": "zero"}),
    ("{{ .missing }}", D, {"missingkey": "error"}),
    ("{{ .nested.a.b.c }}", D, {"missingkey": "error"}),
    ("{{ .nested.nope }}", D, {"missingkey": "error"}),
    ('{{ .missing | default "d" }}', D, {"missingkey": "error"}),
    ('{{ .uid | default "d" }}', D, {"missingkey": "error"}),
    ("{{ .missing.x }}", D),
    # --- if / else / with / range
    ("{{ if .t }}T{{ else }}F{{ end }}", D),
    ("{{ if .e }}T{{ else }}F{{ end }}", D),
    ("{{ if .z }}T{{ else if .n }}N{{ else }}F{{ end }}", D),
    ("{{ if .missing }}T{{ else if .no }}N{{ else }}F{{ end }}", D),
    ("{{ if .empty_l }}T{{ else }}F{{ end }}{{ if .empty_m }}T{{ else }}F{{ end }}{{ if .nil }}T{{ end }}", D),
    ("{{ if .f }}T{{ end }}{{ if 0.0 }}Z{{ end }}", D),
    ("{{ with .nested.a }}{{ .b.c }}{{ end }}", D),
    ("{{ with .missing }}x{{ else }}none{{ end }}", D),
    ("{{ with .missing }}x{{ else with .s }}{{ . }}{{ end }}", D),
    ("{{ with $x := .s }}{{ $x }}{{ . }}{{ end }}", D),
    ("{{ range .l }}[{{ . }}]{{ end }}", D),
    ("{{ range $i, $v := .l }}{{ $i }}={{ $v }} {{ end }}", D),
    ("{{ range $k, $v := .m }}{{ $k }}={{ $v }};{{ end }}", D),
    ("{{ range .empty_l }}x{{ else }}empty{{ end }}", D),
    ("{{ range .missing }}x{{ else }}none{{ end }}", D),
    ("{{ range .nil }}x{{ else }}nil{{ end }}", D),
    ("{{ range 3 }}{{ . }}{{ end }}", D),
    ("{{ range $i := 3 }}{{ $i }}{{ end }}", D),
    ("{{ range .s }}{{ . }}{{ end }}", D),
    ('{{ range .l }}{{ if eq . "b" }}{{ break }}{{ end }}{{ . }}{{ end }}', D),
    ('{{ range .l }}{{ if eq . "b" }}{{ continue }}{{ end }}{{ . }}{{ end }}', D),
    ("{{ break }}", D),
    ("{{ range .mixed }}{{ . }},{{ end }}", D),
    ("{{ range .mixed }}{{ .x }}{{ end }}", D),
    ("{{ range $i, $e := .nums }}{{ $.s }}{{ $i }}{{ end }}", D),
    ("{{ range .l }}{{ $x := . }}{{ end }}{{ $x }}", D),
    ("{{ if }}x{{ end }}", D),
    ("{{ if .t }}x", D),
    ("{{ end }}", D),
    ("{{ else }}", D),
    ("{{ if .t }}a{{ else }}b{{ else }}c{{ end }}", D),
    # --- define, template, block
    ('{{ define "x" }}X{{ . }}{{ end }}{{ template "x" .s }}', D),
    ('{{ define "x" }}X{{ .s }}{{ end }}{{ template "x" . }}|{{ template "x" }}', D),
    ('{{ template "nope" }}', D),
    ('{{ block "b" .s }}[{{ . }}]{{ end }}', D),
    ('{{ define "r" }}{{ if . }}{{ . }}{{ template "r" (slice . 1) }}{{ end }}{{ end }}{{ template "r" .l }}', D),
    ('{{ define "x" }}a{{ end }}{{ define "x" }}b{{ end }}', D),
    ('{{ define "v" }}{{ $ }}{{ end }}{{ $y := 5 }}{{ template "v" .n }}', D),
    # --- comparison and logic
    ('{{ eq 1 1 }} {{ eq 1 2 }} {{ eq 1 2 3 1 }} {{ eq .s "hello" }}', D),
    ("{{ eq 1 1.0 }}", D),
    ('{{ eq 1 "1" }}', D),
    ("{{ eq .missing nil }} {{ eq .s nil }}", D),
    ("{{ eq .l .l }}", D),
    ("{{ eq .n 3 }} {{ eq .f 1.5 }} {{ eq .t true }}", D),
    ('{{ ne 1 2 }} {{ ne .s "x" }}', D),
    ("{{ lt 1 2 }} {{ le 2 2 }} {{ gt 3 2 }} {{ ge 1 2 }}", D),
    ('{{ lt "a" "b" }} {{ gt "b" "a" }}', D),
    ("{{ lt 1 2.0 }}", D),
    ("{{ lt true false }}", D),
    ("{{ lt .nil 1 }}", D),
    ('{{ and 1 0 }} {{ and 1 2 }} {{ or 0 "" }} {{ or 0 "x" }}', D),
    ('{{ and .missing .x.y.z }} {{ or .s (fail "never") }}', D),
    ("{{ not .t }} {{ not .e }} {{ not .missing }}", D),
    ('{{ .s | and 1 }} {{ 0 | or "" }}', D),
    ("{{ eq }}", D),
    ("{{ eq 1 }}", D),
    ("{{ eq (add 1 2) 3 }}", D),
    ('{{ eq .n (atoi "3") }}', D),
    # --- len, index, slice, print family
    ("{{ len .l }} {{ len .m }} {{ len .s }} {{ len .unicode }}", D),
    ("{{ len .n }}", D),
    ("{{ len .missing }}", D),
    ('{{ index .l 1 }} {{ index .m "k" }} {{ index .nested "a" "b" "c" }}', D),
    ("{{ index .l 5 }}", D),
    ('{{ index .m "nope" }}', D),
    ("{{ index .s 0 }}", D),
    ('{{ index .l "x" }}', D),
    ("{{ index .missing 1 }}", D),
    ('{{ print 1 2 "a" "b" 3 nil }}', D),
    ('{{ println 1 "a" }}', D),
    ("{{ print .l .m }}", D),
    ('{{ html "<a href=\'x\'>&\\"</a>" }}', D),
    ('{{ js "it\'s <b> \\"q\\" \\n =&" }}', D),
    ('{{ urlquery "a b&c=d/é" }}', D),
    ("{{ call .s }}", D),
    # --- printf verbs
    ('{{ printf "%s|%d|%v|%q|%t" "a" 42 .l "q" true }}', D),
    ('{{ printf "%5.2f|%-6s|%06d|%x|%X|%o|%b|%e|%g|%G" 3.14159 "ab" 42 255 255 8 5 1234.5678 0.000012 1e21 }}', D),
    ('{{ printf "%+d|% d|%#x|%#o|%c|%U|%8.3e" 5 5 255 8 65 9731 123456.789 }}', D),
    ('{{ printf "%d" "str" }}|{{ printf "%s" 5 }}|{{ printf "%d %d" 1 }}|{{ printf "%d" 1 2 }}', D),
    ('{{ printf "%v %v" .nil .missing }}|{{ printf "%s" .nil }}', D),
    ('{{ printf "%T %T %T %T %T %T" 1 1.5 "s" true .l .m }}', D),
    (
        '{{ printf "%q" .l }}|{{ printf "%x" "hi" }}|{{ printf "% x" "hi" }}|{{ printf "%5s|%-5s|%.2s" "a" "b" "xyz" }}',
        D,
    ),
    ('{{ printf "%[2]s %[1]s" "a" "b" }}|{{ printf "%*d" 5 42 }}|{{ printf "100%%" }}|{{ printf "%!" }}', D),
    ('{{ printf "%v" .big }}|{{ printf "%f" .big }}|{{ printf "%.0f" 2.5 }}|{{ printf "%.3g" 1234.5 }}', D),
    ('{{ printf "%d" .f }}|{{ printf "%f" 3 }}|{{ printf "%t" 1 }}|{{ printf "%z" 1 }}', D),
    ('{{ printf "%05.1f|%-8.2f|%+.1e" -3.14159 2.5 12345.678 }}', D),
    (
        '{{ printf "%s" .unicode }}|{{ printf "%q" .unicode }}|{{ printf "%x" .unicode }}|{{ printf "%.3s" .unicode }}',
        D,
    ),
    ('{{ printf "%d" (add 1 2) }}|{{ printf "%v" (list 1 "a") }}|{{ printf "%s" (list "a" "b") }}', D),
    # --- parse errors
    ("{{ .s ", D),
    ("{{ nosuchfunc }}", D),
    ("{{ .s | }}", D),
    ("{{ ( .s }}", D),
    ("{{ .s ) }}", D),
    ('{{ "unterminated }}', D),
    ("{{ 1abc }}", D),
    ("{{ $x := }}", D),
    ("{{ .a.b.c. }}", D),
    ("{{ 3.x }}", D),
    ('{{ "s".x }}', D),
    ("{{/* unclosed }}", D),
    ("{{ /* not a comment */ }}", D),
    ("{{ range $a, $b, $c := .l }}{{ end }}", D),
    ("{{ $a, $b := .l }}", D),
    ("{{ template 5 }}", D),
    ('{{ define "x" }}', D),
    # --- Sprig: strings
    ('{{ .s | upper }} {{ .s | title }} {{ "HeLLo" | lower }} {{ "hello world-foo_bar" | title }}', D),
    ('{{ .unicode | upper }} {{ .unicode | title }} {{ "Ünïcode" | lower }}', D),
    ('{{ .spaces | trim }}|{{ trimAll "-" "--x--" }}|{{ trimPrefix "he" .s }}|{{ trimSuffix "lo" .s }}', D),
    ("{{ .s | trunc 3 }}|{{ .s | trunc -2 }}|{{ .s | trunc 10 }}|{{ .s | trunc 0 }}|{{ .s | trunc -10 }}", D),
    ("{{ .long | trunc63 }}|{{ .s | trunc63 }}", D),
    ('{{ .long | abbrev 10 }}|{{ .s | abbrev 3 }}|{{ abbrevboth 5 10 "1234567890abcdefghij" }}', D),
    ("{{ substr 1 3 .s }}|{{ substr -1 2 .s }}|{{ substr 2 99 .s }}|{{ substr 2 -1 .s }}", D),
    ("{{ substr 4 2 .s }}", D),
    ('{{ repeat 3 "ab" }}|{{ nospace "a b\tc" }}|{{ initials "hello big world" }}|{{ untitle "Hello" }}', D),
    ('{{ swapcase "Hello World" }}|{{ "hello" | contains "ell" }}|{{ hasPrefix "he" .s }}|{{ hasSuffix "x" .s }}', D),
    ('{{ quote .s .n .nil .f }}|{{ squote .s .n }}|{{ quote "a\\"b" }}|{{ cat "a" .nil 1 .l }}', D),
    ('{{ .s | indent 2 }}|{{ "a\\nb" | nindent 4 }}|{{ "a\\nb" | indent 0 }}', D),
    ('{{ replace "l" "L" .s }}|{{ replace "" "-" "ab" }}|{{ plural "one" "many" 1 }}|{{ plural "one" "many" 2 }}', D),
    (
        '{{ snakecase "HelloWorld" }}|{{ snakecase "HTTPServer2xx" }}|{{ snakecase "already_snake" }}|{{ snakecase "A B-c" }}',
        D,
    ),
    ('{{ camelcase "hello_world" }}|{{ camelcase "http_server" }}|{{ camelcase "-lead-dash" }}|{{ camelcase "x" }}', D),
    (
        '{{ kebabcase "HelloWorld" }}|{{ kebabcase "someID42Thing" }}|{{ kebabcase "Bld4Floor" }}|{{ snakecase "v2Api" }}',
        D,
    ),
    ('{{ wrap 5 "the quick brown fox" }}|{{ wrapWith 5 "\\t" "the quick brown fox" }}|{{ wrap 3 "abcdefgh ij" }}', D),
    (
        '{{ splitList "," .csv }}|{{ join "-" .l }}|{{ join "," .mixed }}|{{ split "," .csv }}|{{ (split "," .csv)._1 }}',
        D,
    ),
    ('{{ splitn "," 2 .csv }}|{{ splitList "" "abc" }}|{{ join "+" "single" }}|{{ toStrings .mixed }}', D),
    ('{{ sortAlpha (list "b" "a" "C" "10" "9") }}|{{ sortAlpha .nums }}|{{ sortAlpha "x" }}', D),
    ("{{ upper 3 }}", D),
    ('{{ trunc "3" .s }}', D),
    ("{{ .n | trunc 2 }}", D),
    ("{{ trunc (add 1 1) .s }}", D),
    ("{{ .missing | upper }}", D),
    (
        '{{ base "/a/b/c.txt" }}|{{ dir "/a/b/c.txt" }}|{{ ext "c.tar.gz" }}|{{ clean "a//b/../c/." }}|{{ isAbs "/x" }}',
        D,
    ),
    ('{{ base "" }}|{{ dir "" }}|{{ clean "" }}|{{ base "/" }}|{{ dir "a" }}|{{ clean "/../a" }}', D),
    # --- Sprig: conversions, defaults
    ('{{ atoi "42" }}|{{ atoi "x" }}|{{ atoi "4.5" }}|{{ atoi " 4" }}|{{ atoi "+7" }}', D),
    ('{{ int64 "42" }}|{{ int64 "0x1F" }}|{{ int64 "010" }}|{{ int64 "4.0" }}|{{ int64 "4.5" }}|{{ int64 2.9 }}', D),
    ('{{ float64 "2.5" }}|{{ float64 3 }}|{{ float64 "x" }}|{{ float64 .t }}|{{ float64 "1e3" }}', D),
    ('{{ toString 42 }}|{{ toString .l }}|{{ toString .nil }}|{{ toString 1.5 }}|{{ toDecimal "777" }}', D),
    ('{{ int "42" | printf "%T" }}', D, {"funcs": "sprig"}),
    ('{{ int "42" }}|{{ int 2.7 }}|{{ int "x" }}|{{ int .t }}|{{ int .nil }}', D, {"funcs": "sprig"}),
    (
        '{{ default "d" .missing }}|{{ default "d" .e }}|{{ default "d" .s }}|{{ default "d" .z }}|{{ default "d" .no }}',
        D,
    ),
    ('{{ .missing | default "x" }}|{{ .empty_l | default "el" }}|{{ .nums | default "n" }}|{{ default 5 }}', D),
    ("{{ empty .e }}|{{ empty .s }}|{{ empty .z }}|{{ empty .empty_m }}|{{ empty .missing }}|{{ empty .f }}", D),
    ('{{ coalesce .missing .e .z "first" "second" }}|{{ coalesce .nil }}', D),
    ('{{ all 1 "a" .t }}|{{ all 1 "" }}|{{ any 0 "" .s }}|{{ any 0 .e }}', D),
    ('{{ ternary "yes" "no" .t }}|{{ ternary "yes" "no" (eq .s "x") }}|{{ ternary 1 2 false }}', D),
    ('{{ ternary "a" "b" "notbool" }}', D),
    ('{{ typeOf 1 }}|{{ typeOf 1.5 }}|{{ typeOf "s" }}|{{ typeOf .m }}|{{ typeOf .nil }}|{{ typeOf (add 1 1) }}', D),
    ('{{ kindOf 1 }}|{{ kindOf .l }}|{{ kindOf .m }}|{{ kindIs "string" .s }}|{{ typeIs "int" .n }}', D),
    ('{{ deepEqual .l (list "a" "b" "c") }}|{{ deepEqual .m .m }}|{{ deepEqual 1 1.0 }}', D),
    # --- Sprig: math
    ('{{ add 1 2 3 }}|{{ add "4" 1.9 }}|{{ sub 10 3 }}|{{ mul 2 3 4 }}|{{ div 7 2 }}|{{ div -7 2 }}|{{ mod -7 3 }}', D),
    ("{{ add1 .n }}|{{ add .n .f }}|{{ add }}|{{ max 1 5 3 }}|{{ min 4 -2 8 }}|{{ biggest 1 9 }}", D),
    ("{{ div 1 0 }}", D),
    ('{{ floor 2.7 }}|{{ ceil 2.1 }}|{{ round 2.456 2 }}|{{ round 2.5 0 }}|{{ round -2.5 0 }}|{{ floor "3.9" }}', D),
    ("{{ maxf 1.5 2 3.7 }}|{{ minf 2 -1.5 }}|{{ addf 1.1 2.2 }}|{{ subf 1 0.9 }}|{{ mulf 1.1 3 }}|{{ divf 10 3 }}", D),
    ("{{ add1f 1.5 }}|{{ divf 1 3 }}|{{ divf 2 3 }}", D),
    (
        "{{ until 4 }}|{{ until -3 }}|{{ untilStep 0 10 3 }}|{{ untilStep 10 0 -4 }}|{{ seq 3 }}|{{ seq 2 5 }}|{{ seq 5 -1 2 }}",
        D,
    ),
    ("{{ add 9223372036854775807 1 }}", D),
    # --- Sprig: lists
    ('{{ list 1 "a" .nil }}|{{ tuple 1 2 }}|{{ append .l "d" }}|{{ prepend .l "z" }}|{{ .l }}', D),
    (
        "{{ first .l }}|{{ last .l }}|{{ rest .l }}|{{ initial .l }}|{{ reverse .l }}|{{ first .empty_l }}|{{ rest .empty_l }}",
        D,
    ),
    ('{{ uniq (list 1 2 1 "a" "a") }}|{{ compact .mixed }}|{{ without .l "b" }}|{{ has "b" .l }}|{{ has "q" .l }}', D),
    ("{{ has 1 .nil }}|{{ concat .l .nums }}|{{ chunk 2 .l }}|{{ slice .l 1 }}|{{ slice .l 1 2 }}|{{ slice .l }}", D),
    ('{{ first "str" }}', D),
    ("{{ first .nil }}", D),
    ("{{ chunk 2 .empty_l }}", D),
    ('{{ index (splitList "," .csv) 3 }}|{{ len (splitList "," .csv) }}', D),
    ("{{ mustFirst .l }}|{{ mustLast .nums }}|{{ mustUniq (list 1 1) }}", D),
    ("{{ slice .s 1 3 }}", D),
    # --- Sprig: dicts
    ('{{ dict "a" 1 "b" "two" }}|{{ dict "odd" }}|{{ dict 1 2 }}|{{ get .m "k" }}|{{ get .m "nope" }}', D),
    ('{{ hasKey .m "k" }}|{{ hasKey .m "q" }}|{{ keys .m | sortAlpha }}|{{ pick .m "k" "q" }}|{{ omit .m "k" }}', D),
    ('{{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ $d }}|{{ unset $d "a" }}|{{ $d }}', D),
    ('{{ pluck "k" .m (dict "k" "other") (dict "x" 1) }}|{{ values (dict "a" 1) }}', D),
    ('{{ dig "a" "b" "c" "def" .nested }}|{{ dig "a" "zz" "def" .nested }}', D),
    ('{{ merge (dict "a" 1 "n" (dict "x" 1)) (dict "a" 2 "b" 3 "n" (dict "y" 2)) }}', D),
    ('{{ mergeOverwrite (dict "a" 1 "n" (dict "x" 1)) (dict "a" 2 "b" 3 "n" (dict "y" 2)) }}', D),
    ('{{ merge (dict "a" "" "z" 0) (dict "a" "filled" "z" 5) }}|{{ mergeOverwrite (dict "a" "x") (dict "a" "") }}', D),
    ('{{ get .l "x" }}', D),
    ("{{ deepCopy .m }}", D),
    # --- Sprig: encoding, hashes, JSON
    ('{{ b64enc .s }}|{{ b64dec "aGVsbG8=" }}|{{ b64dec "!!!" }}|{{ b32enc .s }}|{{ b32dec "NBSWY3DP" }}', D),
    ('{{ b64dec "aGVsbG8" }}|{{ b32dec "NBSWY3D" }}|{{ b64enc .unicode }}', D),
    ('{{ sha1sum .s }}|{{ sha256sum .s }}|{{ adler32sum .s }}|{{ sha512sum "" }}', D),
    ('{{ toJson .m }}|{{ toJson .l }}|{{ toJson .nil }}|{{ toJson "<a>&" }}|{{ toRawJson "<a>&" }}', D),
    ("{{ toJson .mixed }}|{{ toJson 1e21 }}|{{ toJson 0.0000001 }}|{{ toJson 1e20 }}|{{ toJson .big }}", D),
    ("{{ toPrettyJson .nested }}|{{ toPrettyJson .empty_l }}|{{ toPrettyJson (list 1 (dict)) }}", D),
    ('{{ toJson "tab\\tnl\\nq\\"\\u2028" }}', D),
    ("{{ (fromJson .json).apiKey }}|{{ (fromJson .json).port }}|{{ (fromJson .json).tags }}", D),
    ("{{ ((fromJson .json).nested).on }}|{{ (.json | fromJson).port | add 1 }}", D),
    ('{{ fromJson "not json" }}|{{ fromJson "[1,2]" }}|{{ fromJson "3" }}', D),
    ('{{ fromJson "not json" }}|{{ fromJson "[1,2]" }}', D, {"funcs": "sprig"}),
    ('{{ mustFromJson "{bad" }}', D),
    ('{{ (fromJson "{\\"a\\": null}").a }}', D),
    # --- Sprig: regex
    ('{{ regexMatch "^[a-z]+$" .s }}|{{ regexMatch "^[0-9]+$" .s }}|{{ regexFind "l+" .s }}|{{ regexFind "z" .s }}', D),
    ('{{ regexFindAll "[aeiou]" .s -1 }}|{{ regexFindAll "[aeiou]" .s 1 }}|{{ regexFindAll "x*" "axxb" -1 }}', D),
    (
        '{{ regexReplaceAll "l(.)" .s "L${1}" }}|{{ regexReplaceAll "(?P<v>[aeiou])" .s "<$v>" }}|{{ regexReplaceAll "a*" "baaac" "-" }}',
        D,
    ),
    (
        '{{ regexReplaceAllLiteral "l" .s "$1" }}|{{ regexReplaceAll "(l)" .s "$1x" }}|{{ regexReplaceAll "(l)" .s "$$" }}',
        D,
    ),
    (
        '{{ regexSplit "," .csv -1 }}|{{ regexSplit "," .csv 2 }}|{{ regexSplit "" "abc" -1 }}|{{ regexSplit "x*" "axbxxc" -1 }}',
        D,
    ),
    ('{{ regexQuoteMeta "a.b*c[d]" }}|{{ regexMatch "\\\\d+" "abc123" }}|{{ regexFind "\\\\w+" "héllo" }}', D),
    ('{{ regexMatch "(?i)HELLO" .s }}|{{ regexFind "[[:digit:]]+" "ab12c" }}|{{ regexMatch "a$" "a\\n" }}', D),
    (
        '{{ regexFind "\\\\bfoo\\\\b" "a foo b" }}|{{ regexReplaceAll "\\\\s+" "a \\t b" "_" }}|{{ regexFind "a{2,3}" "aaaa" }}',
        D,
    ),
    ('{{ regexMatch "(?=x)" "x" }}', D),
    ('{{ regexMatch "[" "x" }}', D),
    ('{{ mustRegexMatch "a(" "x" }}', D),
    (
        '{{ regexFind "\\\\x41\\\\x{42}" "zABz" }}|{{ regexFind "\\\\Qa.b\\\\E" "xa.by" }}|{{ regexFind "a{,2}" "a{,2}" }}',
        D,
    ),
    # --- Sprig: dates (deterministic inputs)
    (
        '{{ dateInZone "2006-01-02 15:04:05 MST" 0 "UTC" }}|{{ dateInZone "Jan 2, 2006 at 3:04pm (MST)" 1700000000 "UTC" }}',
        D,
    ),
    ('{{ dateInZone "Monday January _2 06 03 PM -0700 Z07:00" 1700000000 "America/New_York" }}', D),
    ('{{ dateInZone "2006-01-02T15:04:05.000Z07:00" 1700000000 "Europe/Paris" }}|{{ htmlDateInZone 86400 "UTC" }}', D),
    (
        '{{ dateInZone "002 __2 .999 ,000 Mon" 1700000000 "Asia/Tokyo" }}|{{ dateInZone "2006" (int64 0) "Nowhere/Zone" }}',
        D,
    ),
    ('{{ duration "90" }}|{{ duration "3661" }}|{{ duration 5 }}|{{ duration (int64 120) }}|{{ duration "0" }}', D),
    # --- Lynq functions
    ('{{ .url | toHost }}|{{ toHost "plain.host:80" }}|{{ toHost "no-port" }}|{{ toHost "http://[::1]:80/x" }}', D),
    ('{{ toHost "https://user:pw@h.example.com/" }}|{{ toHost "" }}', D),
    ("{{ .uid | sha1sum | trunc 8 }}-app", D),
    (
        '{{ .num_s | int }}|{{ "2.8" | int }}|{{ .f | int }}|{{ "x" | int }}|{{ .t | int }}|{{ .nil | int }}|{{ add 1 2 | int }}',
        D,
    ),
    (
        '{{ .float_s | float }}|{{ 2 | float }}|{{ "x" | float }}|{{ 1e21 | float }}|{{ .t | float }}|{{ 0.5 | float }}',
        D,
    ),
    (
        '{{ .bool_s | bool }}|{{ "TRUE" | bool }}|{{ "no" | bool }}|{{ 1 | bool }}|{{ 0 | bool }}|{{ "on" | bool }}|{{ "" | bool }}',
        D,
    ),
    ('{{ .maxReplicas | default "2" | int }}', D),
    ('{{ .maxReplicas | default "2" | int }}', D, {"missingkey": "error"}),
    ('{{ printf "%s-%s-deployment" .uid "us-east-1" | trunc63 }}', D),
    ('{{ ternary "5" "2" (eq .uid "acme-corp") }}', D),
    ("{{ if .region }}{{ .region }}-{{ end }}{{ .uid }}", D),
    ('{{ .uid }}-{{ .planId | default "basic" }}', D),
    ('{{ $base := printf "%s-%s" .uid "prod" }}{{ $base | trunc63 }}-web', D),
    ("{{ (.json | fromJson).nested.on }}", D),
    # --- argument type rules
    ('{{ repeat "3" "a" }}', D),
    ('{{ repeat 3.0 "a" }}', D),
    ('{{ repeat 3.5 "a" }}', D),
    ('{{ repeat .n "a" }}', D),
    ('{{ repeat (len .l) "a" }}', D),
    ('{{ repeat (add 1 1) "a" }}', D),
    ("{{ ternary 1 2 .n }}", D),
    ("{{ ternary 1 2 nil }}", D),
    ("{{ upper nil }}", D),
    ("{{ default nil .missing }}", D),
    ('{{ hasKey .l "x" }}', D),
    ('{{ hasKey .missing "x" }}', D),
    ("{{ upper }}", D),
    ('{{ upper "a" "b" }}', D),
    ('{{ "a" | upper "b" }}', D),
    ("{{ trunc 3 }}", D),
    ("{{ .s | trunc }}", D),
]


# --- printf, numbers and Sprig edge cases (second batch)
D2: dict[str, Any] = {
    "s": "hello",
    "n": 3,
    "f": 1.5,
    "l": ["a", "b"],
    "m": {"a": 1, "b": {"c": 2}},
    "nil": None,
    "e": "",
    "u": "héllo wörld",
    "neg": -2.5,
    "sl": ["b", "a"],
    "li": [[1, 2], [1, 2]],
}

CASES += [
    ('{{ printf "%6.2f|%-8v|%08.3f|%+v|%x|%X" 3.14159 "ab" -3.5 5 -255 "Hi" }}', D2),
    ('{{ printf "%v|%v|%v|%v" 1e100 1e-100 123456789.0 0.1 }}', D2),
    ('{{ printf "%g|%g|%e|%.2e|%G" 100000.0 1000000.0 0.0 1.0 1e-10 }}', D2),
    ('{{ printf "%5t|%-5t|%q|%#q|%+q" true false "a\\tb" "ab" "é" }}', D2),
    ('{{ printf "%c|%c|%q|%U" 233 128512 65 65 }}', D2),
    ('{{ printf "%3c|%-4d|%x|%o" 65 7 3.5 -8 }}', D2),
    ('{{ printf "%s %s" }}|{{ printf "%d" }}|{{ printf "%" }}|{{ printf "%-" }}|{{ printf "%.x" 5 }}', D2),
    ('{{ printf "%v" .m }}|{{ printf "%d" .m }}|{{ printf "%s" .m }}|{{ printf "%v" .l }}|{{ printf "%5v" .l }}', D2),
    (
        '{{ printf "%t" "x" }}|{{ printf "%s" true }}|{{ printf "%d" true }}|{{ printf "%q" 1.5 }}|{{ printf "%s" nil }}',
        D2,
    ),
    (
        '{{ printf "%[3]d %[1]d" 1 2 3 }}|{{ printf "%[5]d" 1 }}|{{ printf "%[0]d" 1 }}|{{ printf "%d %[1]d %d" 1 2 }}',
        D2,
    ),
    ('{{ printf "%.*f" 2 3.14159 }}|{{ printf "%-*d|" 4 7 }}|{{ printf "%*d" "x" 7 }}', D2),
    ('{{ printf "%#v" 1 }}', D2),
    (
        '{{ printf "%v %v" .f .neg }}|{{ .neg }}|{{ -0.0 }}|{{ printf "%.1f" 0.05 }}|{{ printf "%.0f" 0.5 }}|{{ printf "%.0f" 1.5 }}',
        D2,
    ),
    ('{{ printf "%08d|%-08d|%+08d|% 08d" -42 42 42 42 }}', D2),
    ('{{ printf "%.3d|%5.3d|%x|%#X" 7 7 0 255 }}', D2),
    ('{{ printf "%e|%E|%.0e|%#.0e|%#g|%#.3x" 123.456 0.000123 5.0 5.0 1.0 1 }}', D2),
    ('{{ printf "%10.4v|%-10.3v|" 3.14159 "abcdef" }}', D2),
    ('{{ print "a" 1 2 "b" nil nil }}|{{ print nil }}|{{ print }}|{{ print .l 1 }}|{{ print 1.5 true }}', D2),
    ('{{ println }}|{{ println nil "x" }}', D2),
    ('{{ printf "%v" (list nil 1) }}|{{ printf "%s" (list nil "a") }}|{{ printf "%d" (list 1 "a") }}', D2),
    ('{{ printf "%x" (list 10 "a") }}|{{ printf "%q" (dict "k" "v") }}', D2),
    ('{{ title "hello wORLD  foo-bar_baz x.y 3rd" }}|{{ title "élan vital" }}|{{ untitle "ÉLAN" }}', D2),
    ('{{ upper "straße" }}|{{ lower "İSTANBUL" }}|{{ upper "ǆ" }}', D2),
    ('{{ trim "\\u00a0 x \\u3000" }}|{{ trim "\\x1c x" }}|{{ trimAll "ab" "abcba" }}|{{ trimAll "" "x" }}', D2),
    (
        '{{ abbrev 5 "hello world" }}|{{ abbrev 4 "abcdefg" }}|{{ abbrevboth 0 4 "abcdefghijk" }}|{{ abbrevboth 3 8 "abcdefghijklmno" }}',
        D2,
    ),
    ('{{ abbrevboth 10 7 "abcdefghijklmnopqr" }}|{{ abbrevboth 1 7 "abcdefghijklmnopqr" }}|{{ abbrev 10 "" }}', D2),
    (
        '{{ snakecase "" }}|{{ snakecase "a" }}|{{ snakecase "ABC" }}|{{ snakecase "aBC" }}|{{ snakecase "a1b2" }}|{{ snakecase "Hello  World!!x" }}',
        D2,
    ),
    (
        '{{ snakecase "FooBar_Baz qux" }}|{{ snakecase "HTTPStatusCode" }}|{{ snakecase "x-Y" }}|{{ snakecase "12ab" }}|{{ snakecase "ab12" }}|{{ snakecase "AB12cd" }}',
        D2,
    ),
    (
        '{{ kebabcase "fooBar.baz" }}|{{ kebabcase "foo$bar" }}|{{ kebabcase "_private" }}|{{ kebabcase "a__b" }}|{{ kebabcase "end_" }}',
        D2,
    ),
    (
        '{{ camelcase "foo_bar_baz" }}|{{ camelcase "FOO_BAR" }}|{{ camelcase "foo--bar" }}|{{ camelcase "foo bar" }}|{{ camelcase "_" }}|{{ camelcase "fooBar" }}|{{ camelcase "a_" }}',
        D2,
    ),
    ('{{ camelcase "HTTP_server" }}|{{ camelcase "x_y_z" }}|{{ camelcase "9lives_here" }}', D2),
    (
        '{{ wrap 10 "a b c d e f g h i j k l m n" }}|{{ wrap 0 "ab cd" }}|{{ wrapWith 3 "|" "abcdefg hi" }}|{{ wrap 4 "  lead" }}',
        D2,
    ),
    ('{{ initials "  a  bb   ccc" }}|{{ nospace "" }}|{{ swapcase "" }}', D2),
    ("{{ quote }}|{{ squote nil }}|{{ quote .m }}|{{ squote .l }}|{{ quote 1.5 true }}|{{ cat }}", D2),
    ('{{ indent -1 "x" }}', D2),
    ('{{ repeat 0 "x" }}|{{ repeat -1 "x" }}', D2),
    ('{{ substr 0 0 "" }}|{{ substr 1 0 "abc" }}', D2),
    ('{{ substr 10 20 "abc" }}', D2),
    (
        '{{ splitn "," 0 "a,b" }}|{{ splitn "," -1 "a,b,c" }}|{{ splitn "" 2 "abc" }}|{{ splitList "," "" }}|{{ split "" "" }}',
        D2,
    ),
    ('{{ join "," .nil }}|{{ join "," (list 1 .nil 2) }}|{{ join "," 5 }}|{{ sortAlpha .nil }}|{{ sortAlpha .m }}', D2),
    ('{{ toStrings .nil }}|{{ toStrings "x" }}|{{ toStrings (list 1.5 true) }}', D2),
    (
        '{{ atoi "" }}|{{ atoi "9223372036854775808" }}|{{ atoi "1_000" }}|{{ int64 "1_000" }}|{{ int64 "  5" }}|{{ int64 "-0x10" }}',
        D2,
    ),
    (
        '{{ int64 "1e3" }}|{{ int64 "10.000" }}|{{ int64 ".0" }}|{{ int64 "0." }}|{{ int64 "0b11" }}|{{ int64 "0o17" }}|{{ int64 "08" }}',
        D2,
    ),
    (
        '{{ float64 "1_000.5" }}|{{ float64 "inf" }}|{{ float64 "-Infinity" }}|{{ float64 "nan" }}|{{ float64 "0x1p-2" }}|{{ float64 " 1" }}|{{ float64 "1e400" }}',
        D2,
    ),
    (
        '{{ float64 ".5" }}|{{ float64 "5." }}|{{ float64 "+.5e1" }}|{{ float64 "1__0" }}|{{ float64 "_1" }}|{{ float64 "1_" }}',
        D2,
    ),
    ('{{ toDecimal "0777" }}|{{ toDecimal 8 }}|{{ toDecimal "-17" }}|{{ toDecimal 1.5 }}', D2),
    (
        '{{ add 1 "x" }}|{{ add 1.9 1.9 }}|{{ add -1.9 0 }}|{{ mul 3 .nil }}|{{ sub "10" "2.0" }}|{{ mod 7 -3 }}|{{ div -7 -2 }}',
        D2,
    ),
    ("{{ mod 1 0 }}", D2),
    ('{{ max "5" 3.9 }}|{{ min }}', D2),
    ("{{ max }}", D2),
    (
        '{{ round 1.005 2 }}|{{ round 2.345 2 0.3 }}|{{ round -1.5 0 }}|{{ round 1234.5678 -2 }}|{{ ceil -0.5 }}|{{ floor "x" }}',
        D2,
    ),
    (
        "{{ addf 0.1 0.2 }}|{{ subf 0.3 0.1 }}|{{ mulf 0.1 3 }}|{{ divf 1 7 }}|{{ divf 2 3 }}|{{ divf -2 3 }}|{{ addf }}|{{ divf 10 }}",
        D2,
    ),
    ("{{ divf 1 0 }}", D2),
    ("{{ maxf }}", D2),
    ('{{ maxf 1 }}|{{ minf 1 "x" }}', D2),
    (
        "{{ seq }}|{{ seq 0 }}|{{ seq 1 }}|{{ seq -3 }}|{{ seq 1 2 3 4 }}|{{ seq 1 0 5 }}|{{ seq 10 -3 1 }}|{{ seq 1 -1 5 }}",
        D2,
    ),
    ("{{ untilStep 0 5 0 }}|{{ untilStep 5 0 1 }}|{{ until 0 }}", D2),
    (
        "{{ uniq .li }}|{{ has (list 1 2) .li }}|{{ without .li (list 1 2) }}|{{ has 1 (list 1.0) }}|{{ has 1 (list 1) }}",
        D2,
    ),
    ('{{ compact (list 0 "" .nil false (list) (dict) "x" 0.0) }}|{{ without .l }}', D2),
    ('{{ append .nil "x" }}', D2),
    ('{{ prepend "s" "x" }}', D2),
    ("{{ slice .l 1 5 }}", D2),
    ("{{ slice .l -1 }}", D2),
    ('{{ slice .l 2 }}|{{ slice .l 0 0 }}|{{ slice (list) 0 }}|{{ slice .l "1" }}', D2),
    ("{{ concat }}|{{ concat .l (list) }}", D2),
    ('{{ concat .l "x" }}', D2),
    ("{{ chunk 0 .l }}", D2),
    ("{{ chunk 3 (list 1 2 3 4 5 6 7) }}|{{ chunk 1 .l }}", D2),
    ("{{ reverse .nil }}", D2),
    ("{{ uniq .nil }}", D2),
    ('{{ sortAlpha (list "é" "e" "z" "Z" "" "a b") }}', D2),
]


# --- engine semantics (third batch)
D3: dict[str, Any] = {
    "s": "hello",
    "n": 3,
    "f": 1.5,
    "l": ["a", "b"],
    "m": {"a": 1, "b": {"c": 2}},
    "nil": None,
    "e": "",
    "u": "héllo",
    "ln": [None, {"x": 1}],
    "mm": {"k": None},
    "i": 0,
}

CASES += [
    ("{{ range .ln }}[{{ . }}]{{ end }}", D3),
    ("{{ range $i, $e := .ln }}{{ $i }}{{ $e }}{{ end }}", D3),
    (
        '{{ with .mm.k }}x{{ else }}y{{ end }}|{{ .mm.k }}|{{ printf "%v" .mm.k }}|{{ index .mm "k" }}|{{ print .mm.k }}',
        D3,
    ),
    ("{{ .mm.k.z }}", D3),
    ("{{ .mm.k.z }}", D3, {"missingkey": "zero"}),
    ("{{ (.mm.k).z }}", D3),
    ("{{ $x := .mm.k }}{{ $x.z }}", D3),
    ('{{ index .mm "k" "z" }}', D3),
    ("{{ range .m }}{{ . }}{{ end }}", D3),
    ("{{ range $k, $v := .m }}{{ $k }}{{ end }}{{ range $k := .m }}{{ $k }}{{ end }}", D3),
    ("{{ range $i, $v := 3 }}{{ end }}", D3),
    ("{{ range -2 }}x{{ else }}neg{{ end }}|{{ range 0 }}x{{ else }}zero{{ end }}", D3),
    ("{{ range .f }}x{{ end }}", D3),
    ("{{ range .l }}{{ break }}{{ end }}done", D3),
    ("{{ range .l }}{{ range .l }}{{ break }}{{ end }}{{ . }}{{ end }}", D3),
    ("{{ if .s }}{{ break }}{{ end }}", D3),
    ('{{ define "a" }}{{ range . }}{{ break }}{{ end }}{{ end }}{{ range .l }}{{ template "a" . }}{{ end }}', D3),
    ('{{ with 0 }}a{{ else with "" }}b{{ else with 3 }}{{ . }}{{ end }}', D3),
    ("{{ with .s }}{{ $ }}{{ end }}", {"s": "x"}),
    ("{{ $x := 1 }}{{ with $x := 2 }}{{ $x }}{{ end }}{{ $x }}", D3),
    ("{{ $i := 0 }}{{ range .l }}{{ $i = add $i 1 }}{{ end }}{{ $i }}", D3),
    ('{{ $v := "" }}{{ range $i, $v = .l }}{{ end }}{{ $v }}', D3),
    ("{{ $x := 1 }}{{ $x := 2 }}{{ $x }}", D3),
    ("{{ $x = 1 }}", D3),
    ("{{ if false }}{{ $x = 1 }}{{ end }}ok", D3),
    ('{{ .s | len | printf "%d" }}|{{ "abc" | printf "%s-%s" "x" }}', D3),
    ('{{ (printf "%s" .s) | upper }}|{{ (.s) }}|{{ ((.m).b).c }}', D3),
    ("{{ .m.b.c | add 1 | mul 2 }}", D3),
    ('{{ 3 | printf "%d %d" 1 }}', D3),
    ("{{ nil | print }}", D3),
    ("{{ print nil | len }}", D3),
    ("{{ and }}", D3),
    ('{{ and 1 }}|{{ or 0 }}|{{ and .missing 1 }}|{{ or .missing "" }}|{{ printf "%v" (and .missing 1) }}', D3),
    ("{{ or .nil .missing }}|{{ and .s .nil }}", D3),
    ("{{ not 1 2 }}", D3),
    ("{{ eq .nil .missing }}|{{ eq .nil 1 }}|{{ ne .nil .missing }}|{{ eq .l .nil }}|{{ eq .m nil }}", D3),
    ("{{ eq .m .m }}", D3),
    ('{{ eq 1.5 .f }}|{{ eq .i 0 }}|{{ eq "" .e }}|{{ lt .e "a" }}|{{ le 1.5 .f }}|{{ gt "b" "abc" }}', D3),
    ("{{ lt 1 .missing }}", D3),
    ("{{ eq (len .l) 2 }}|{{ eq (add 1 1) 2 }}|{{ lt (add 1 1) 3 }}|{{ eq (int64 2) (len .l) }}", D3),
    ("{{ index .l -1 }}", D3),
    ("{{ index .l 1.0 }}", D3),
    ('{{ index .l (add 0 1) }}|{{ index .m "b" "c" }}|{{ index .l }}|{{ index "abc" 1 }}', D3),
    ("{{ index .m 1 }}", D3),
    ("{{ index .m nil }}", D3),
    ("{{ len nil }}", D3),
    ("{{ len .f }}", D3),
    ('{{ len (list) }}|{{ len "" }}|{{ len .u }}|{{ len (dict "a" 1) }}', D3),
    ('{{ html .l }}|{{ html 1 "<" }}|{{ js .m }}|{{ urlquery 1 2 }}|{{ urlquery "~-._ /?" }}|{{ html nil }}', D3),
    ('{{ js "\\u2028 \\x00 \\x7f é \\\\" }}|{{ html "\\x00" }}', D3),
    ("{{ printf }}", D3),
    ("{{ printf 1 }}", D3),
    ('{{ print "a" | printf "%s%s" "b" }}', D3),
    ('{{ template "t" }}{{ define "t" }}T{{ end }}', D3),
    ('{{ define "t" }}{{ .x }}{{ end }}{{ template "t" (dict "x" 5) }}', D3),
    ('{{ block "b" . }}{{ .s }}{{ end }}{{ define "b" }}override{{ end }}', D3),
    ('{{ define "t" }}{{ $x := 1 }}{{ end }}{{ $x := 2 }}{{ template "t" }}{{ $x }}', D3),
    ('{{ define "t" }}{{ end }}{{ template "t" }}x', D3),
    ('{{- define "t" -}} a {{- end -}} {{ template "t" }}', D3),
    ('{{ define "t" }}{{ template "t" }}{{ end }}{{ template "t" }}', D3),
    ('a{{ "{{" }}b{{ "}}" }}', D3),
    ('{{ "a" }}{{- "b" -}}{{ "c" }}', D3),
    ('{{- "a" }}', D3),
    ('x{{ - "a" }}', D3),
    ('{{ "a" - }}', D3),
    ("{{ .s -}}", D3),
    ("{{ /* c */ }}", D3),
    ("{{/* c */ -}}  x", D3),
    ("{{- /* c */}}", D3),
    ("{{/*c*/}}", D3),
    ("{{/* c */ }}", D3),
    ("{{ 1 }}{{ 08 }}", D3),
    ("{{ 0x }}", D3),
    ("{{ 1e }}", D3),
    ("{{ .5 }}|{{ -.5 }}|{{ +5 }}|{{ 1_0.5 }}|{{ 0X1F }}|{{ 0B1 }}|{{ 0O7 }}", D3),
    ("{{ 9223372036854775807 }}", D3),
    ("{{ -9223372036854775808 }}", D3),
    ("{{ 18446744073709551615 }}", D3),
    ("{{ '\\x41' }}|{{ '\\u00e9' }}|{{ '\\'' }}|{{ 'é' }}", D3),
    ("{{ 'ab' }}", D3),
    ('{{ "\\x41\\101\\u00e9\\U0001F600" }}', D3),
    ('{{ "\\q" }}', D3),
    ("{{ `a\nb` }}", D3),
    ('{{ "a\nb" }}', D3),
    ("{{ .s }} {{ .s }", D3),
    ("{{ .s }}}}", D3),
    ("{{{{ .s }}", D3),
    ("{{ .s | }}", D3),
    ("{{ | .s }}", D3),
    ("{{ .s .n }}", D3),
    ("{{ $ := 1 }}", D3),
    ("{{ $x.y := 1 }}", D3),
    ('{{ $x := 1 | printf "%d" }}{{ $x }}', D3),
    ("{{ if $x := .s }}{{ $x }}{{ else }}{{ $x }}{{ end }}", D3),
    ("{{ range $x := .l }}{{ else }}{{ $x }}{{ end }}", {"l": []}),
    ("{{ .s.len }}", D3),
    ("{{ $.missing.x.y }}|{{ $.nil }}", D3),
    ("{{ . }}", 5),
    ("{{ .x }}", 5),
    ("{{ .x }}", None),
    ("{{ .x }}", None, {"missingkey": "error"}),
    ("{{ .x }}", [1]),
    ("{{ .Method }}", {"Method": "m"}),
    ("{{ .a-b }}", {"a-b": 1}),
    ('{{ index . "a-b" }}', {"a-b": 1}),
    ("{{ ._x }}|{{ .x_1 }}|{{ .ÿ }}", {"_x": 1, "x_1": 2, "ÿ": 3}),
]


# --- JSON, encodings, regex, dates, Lynq's functions (fourth batch)
D4: dict[str, Any] = {
    "s": "hello",
    "n": 3,
    "f": 1.5,
    "l": ["a", "b"],
    "m": {"a": 1, "b": {"c": 2}},
    "nil": None,
    "u": "héllo",
    "j": '{"a":[1,2.5,"x",null,true],"b":{"c":1e3}}',
}

CASES += [
    (
        "{{ toJson .j }}|{{ toJson .u }}|{{ toJson 1.0 }}|{{ toJson -0.0 }}|{{ toJson 123456789012345678 }}|{{ toJson 0.1 }}",
        D4,
    ),
    (
        "{{ toJson 1e-6 }}|{{ toJson 1e-7 }}|{{ toJson 12345678901234567890.0 }}|{{ toJson 1.5e300 }}|{{ toJson 2.5e-10 }}",
        D4,
    ),
    ('{{ toJson "\\u007f\\u0080\\ufeff\\x01" }}|{{ toRawJson (list "<" .nil 1.5) }}|{{ toPrettyJson .m }}', D4),
    (
        "{{ toJson (fromJson .j) }}|{{ (fromJson .j).b.c }}|{{ index (fromJson .j).a 1 }}|{{ typeOf (index (fromJson .j).a 0) }}",
        D4,
    ),
    (
        '{{ fromJson "  {\\"a\\" : 1 }  " }}|{{ fromJson "" }}|{{ fromJson "[1,]" }}|{{ fromJson "NaN" }}|{{ fromJson "1e999" }}',
        D4,
    ),
    ('{{ fromJson "{\\"a\\":1}{" }}|{{ fromJson "\\"x\\"" }}|{{ fromJson "true" }}|{{ fromJson "null" }}', D4),
    ('{{ fromJson "{\\"a\\":1,\\"a\\":2}" }}|{{ fromJson "[1e2, -0, 0.5]" }}|{{ fromJson "\\"\\\\u00e9\\"" }}', D4),
    ('{{ fromJson "01" }}|{{ fromJson "[01]" }}|{{ fromJson "{\\"a\\":\\"\\t\\"}" }}|{{ fromJson "1." }}', D4),
    ('{{ mustToJson .m }}|{{ mustToPrettyJson (list) }}|{{ mustToRawJson "&" }}|{{ toPrettyJson "x" }}', D4),
    (
        '{{ b64enc "" }}|{{ b64dec "" }}|{{ b64dec "YQ==" }}|{{ b64dec "YQ" }}|{{ b64dec "YQ=" }}|{{ b64dec "Y===" }}|{{ b64dec "YQ==YQ==" }}',
        D4,
    ),
    (
        '{{ b64dec "YW Jj" }}|{{ b64dec "YWJj\\nZGVm" }}|{{ b64dec "YWJjZA==\\n" }}|{{ b64dec "=" }}|{{ b64dec "YQ==x" }}',
        D4,
    ),
    (
        '{{ b32enc "" }}|{{ b32dec "" }}|{{ b32dec "ME======" }}|{{ b32dec "me======" }}|{{ b32dec "ME=====" }}|{{ b32dec "MFRGG===" }}|{{ b32dec "M1======" }}',
        D4,
    ),
    ('{{ sha1sum .u }}|{{ sha256sum "" }}|{{ adler32sum "" }}|{{ adler32sum .u }}', D4),
    (
        '{{ regexFindAll "(a)(b)?" "abab a" -1 }}|{{ regexFindAll "" "abc" -1 }}|{{ regexFindAll "" "abc" 2 }}|{{ regexFindAll "b*" "abbc" -1 }}',
        D4,
    ),
    (
        '{{ regexReplaceAll "" "abc" "-" }}|{{ regexReplaceAll "b*" "abbc" "-" }}|{{ regexReplaceAll "x*" "" "-" }}|{{ regexReplaceAllLiteral "b" "abc" "${0}" }}',
        D4,
    ),
    (
        '{{ regexReplaceAll "(?P<first>\\\\w+) (?P<last>\\\\w+)" "John Smith" "${last}, ${first}" }}|{{ regexReplaceAll "(a)" "a" "$1$2$x${1}0${" }}',
        D4,
    ),
    (
        '{{ regexReplaceAll "(a)" "aa" "[$10]" }}|{{ regexReplaceAll "(a)" "aa" "[${1}0]" }}|{{ regexReplaceAll "a" "aa" "$" }}',
        D4,
    ),
    (
        '{{ regexSplit "a" "banana" 0 }}|{{ regexSplit "a" "banana" 1 }}|{{ regexSplit "a" "banana" 3 }}|{{ regexSplit "a" "" -1 }}|{{ regexSplit "" "" -1 }}',
        D4,
    ),
    (
        '{{ regexSplit "a*" "baaac" -1 }}|{{ regexSplit "^" "abc" -1 }}|{{ regexSplit "$" "abc" -1 }}|{{ regexSplit "b" "abc" -1 }}',
        D4,
    ),
    (
        '{{ regexMatch "^$" "" }}|{{ regexMatch "(?m)^b$" "a\\nb\\nc" }}|{{ regexMatch "(?s)a.b" "a\\nb" }}|{{ regexMatch "a.b" "a\\nb" }}',
        D4,
    ),
    (
        '{{ regexFind "(?i)straße" "STRASSE" }}|{{ regexFind "(?i)k" "\\u212a" }}|{{ regexFind "[^a]" "\\n" }}|{{ regexFind "\\\\D" "1a" }}',
        D4,
    ),
    (
        '{{ regexFind "a|ab" "ab" }}|{{ regexFind "ab|a" "ab" }}|{{ regexFind "a*?" "aaa" }}|{{ regexFind "a+?" "aaa" }}|{{ regexFind "(a|b)*c" "ababc" }}',
        D4,
    ),
    (
        '{{ regexFind "[[:alpha:]]+" "ab1" }}|{{ regexFind "[[:^alpha:]]+" "ab1" }}|{{ regexFind "[a-c[:digit:]]+" "1b2z" }}|{{ regexFind "[]a]+" "]a]" }}',
        D4,
    ),
    (
        '{{ regexFind "(?i:a)b" "Ab" }}|{{ regexFind "x{2}" "xxx" }}|{{ regexFind "x{2,}" "xxxx" }}|{{ regexFind "{" "{" }}|{{ regexFind "a{1001}" "a" }}',
        D4,
    ),
    ('{{ regexFind "\\\\1" "a" }}', D4),
    ('{{ regexFind "a**" "a" }}', D4),
    ('{{ regexFind "a++" "a" }}', D4),
    ('{{ regexFind "\\\\Z" "a" }}', D4),
    (
        '{{ regexFind "(?<name>a)" "a" }}|{{ regexFind "\\\\." "a.b" }}|{{ regexFind "\\\\Aa" "aa" }}|{{ regexFind "a\\\\z" "aa" }}',
        D4,
    ),
    (
        '{{ regexFind "[\\\\d\\\\s]+" "a1 2b" }}|{{ regexFind "\\\\s+" "a\\u00a0b" }}|{{ regexFind "\\\\w+" "日本" }}|{{ regexFind "\\\\bx" "éx" }}',
        D4,
    ),
    ('{{ regexQuoteMeta "" }}|{{ regexQuoteMeta "-#&~ é" }}', D4),
    ('{{ mustRegexFind "(" "x" }}', D4),
    ('{{ regexFind "(" "x" }}', D4),
    ('{{ regexSplit "(" "x" -1 }}', D4),
    ('{{ date "2006" 0 | len }}|{{ dateInZone "2006-01-02" 1700000000.5 "UTC" | len }}', D4),
    ('{{ dateInZone "15:04:05.000000 .99 Jan Monday MST -07 -07:00:00 Z0700" 1700000000 "Asia/Kolkata" }}', D4),
    (
        '{{ dateInZone "3:4:5 pm PM 1 2 06" 1699999999 "UTC" }}|{{ dateInZone "2006 __2 002 _2" 1704067200 "UTC" }}|{{ dateInZone "Z07:00" 0 "UTC" }}',
        D4,
    ),
    (
        '{{ dateInZone "2006-01-02" (int64 -86400) "UTC" }}|{{ dateInZone "Jan _2" 1704067200 "" }}|{{ dateInZone "MST" 1700000000 "America/Phoenix" }}',
        D4,
    ),
    (
        '{{ dateInZone "MST" 1700000000 "Etc/GMT+5" }}|{{ dateInZone "MST" 1700000000 "Asia/Kolkata" }}|{{ dateInZone "05.000 ,9" 1 "UTC" }}',
        D4,
    ),
    ('{{ htmlDateInZone 1700000000 "Pacific/Kiritimati" }}|{{ htmlDateInZone "x" "UTC" | len }}', D4),
    (
        '{{ duration "-90" }}|{{ duration "x" }}|{{ duration 1.5 }}|{{ duration (int64 86400) }}|{{ duration "3600" }}',
        D4,
    ),
    ("{{ unixEpoch 5 }}", D4),
    (
        '{{ toHost "https://EXAMPLE.com" }}|{{ toHost "//h.com/x" }}|{{ toHost "h.com/path" }}|{{ toHost "http://h.com:" }}|{{ toHost "ftp://a@b:1" }}',
        D4,
    ),
    (
        '{{ toHost "http://[fe80::1%25en0]:8080/" }}|{{ toHost "mailto:x@y.com" }}|{{ toHost "http:///path" }}|{{ toHost "a:b:c" }}',
        D4,
    ),
    (
        '{{ toHost "http://h.com?q" }}|{{ toHost "http://h.com#f" }}|{{ toHost "HTTP://h.com" }}|{{ toHost "1http://x" }}',
        D4,
    ),
    ('{{ toHost "http://a b" }}', D4),
    ("{{ toHost 5 }}", D4),
    ('{{ trunc63 "" }}|{{ trunc63 (repeat 70 "x") | len }}|{{ trunc63 (repeat 63 "y") | len }}', D4),
    (
        '{{ float "1_0" }}|{{ float "0x1p3" }}|{{ float "inf" }}|{{ float "-0" }}|{{ float 1e21 }}|{{ float "1e-7" }}|{{ float (int64 3) }}|{{ float .m }}',
        D4,
    ),
    (
        '{{ bool "T" }}|{{ bool "Y" }}|{{ bool " true" }}|{{ bool 0.0 }}|{{ bool 0.1 }}|{{ bool .nil }}|{{ bool .l }}|{{ bool (int64 0) }}',
        D4,
    ),
    ('{{ fromJson "[1" }}|{{ fromJson "{}" }}|{{ typeOf (fromJson "bad") }}', D4),
    ("{{ toHost .nil }}", D4),
    ('{{ .s | sha1sum }}|{{ sha1sum "" }}', D4),
]


# --- Go types of Sprig's results ([]string, map[string]string), dicts, merge (fifth batch)
D5: dict[str, Any] = {"s": "a,b,c", "l": ["x", "y"], "m": {"k": "v", "n": 1}, "nil": None}

CASES += [
    (
        '{{ typeOf (splitList "," .s) }}|{{ typeOf (list "a") }}|{{ typeOf (split "," .s) }}|{{ typeOf (keys .m) }}|{{ typeOf (sortAlpha .l) }}|{{ typeOf .l }}',
        D5,
    ),
    (
        '{{ typeOf (toStrings .l) }}|{{ typeOf (regexFindAll "a" "aa" -1) }}|{{ typeOf (regexSplit "," .s -1) }}|{{ typeOf (slice (splitList "," .s) 1) }}',
        D5,
    ),
    (
        '{{ typeOf (rest (splitList "," .s)) }}|{{ typeOf (append (splitList "," .s) "d") }}|{{ typeOf (uniq (splitList "," .s)) }}|{{ kindOf (split "," .s) }}',
        D5,
    ),
    (
        '{{ printf "%T" (splitList "," .s) }}|{{ typeIs "[]string" (splitList "," .s) }}|{{ typeIsLike "[]string" (splitList "," .s) }}',
        D5,
    ),
    ('{{ (split "," .s)._9 }}|{{ index (split "," .s) "_9" }}|{{ index (split "," .s) "_1" }}', D5),
    ('{{ (split "," .s)._9 }}', D5, {"missingkey": "zero"}),
    ('{{ (split "," .s)._9 }}', D5, {"missingkey": "error"}),
    ('{{ set (split "," .s) "a" "b" }}', D5),
    ('{{ hasKey (split "," .s) "_0" }}', D5),
    ('{{ keys (split "," .s) }}', D5),
    ('{{ range $k, $v := split "," .s }}{{ $k }}={{ $v }};{{ end }}', D5),
    ('{{ toJson (split "," .s) }}|{{ toJson (splitList "," .s) }}|{{ len (split "," .s) }}', D5),
    (
        '{{ typeOf (slice (list 1 2) 1) }}|{{ typeOf (slice (splitList "," .s) 1) }}|{{ typeOf (fromJson "[1]") }}|{{ typeOf (dict) }}',
        D5,
    ),
    (
        '{{ typeOf 1e3 }}|{{ typeOf (div 1 1) }}|{{ typeOf (len .l) }}|{{ typeOf (atoi "1") }}|{{ typeOf (float64 1) }}|{{ typeOf (floor 1) }}|{{ typeOf true }}',
        D5,
    ),
    ('{{ kindOf 1.5 }}|{{ kindOf true }}|{{ kindOf .nil }}|{{ kindOf (int64 1) }}|{{ kindIs "invalid" .nil }}', D5),
    ('{{ pluck "k" .m }}|{{ keys .m (dict "z" 1) | sortAlpha }}|{{ values .m | len }}', D5),
    ('{{ dig "m" "k" "d" (dict "m" .m) }}|{{ dig "x" "d" .m }}', D5),
    ('{{ dig "k" "z" "d" .m }}', D5),
    ('{{ dig "a" "d" }}', D5),
    ('{{ $d := dict }}{{ $_ := set $d "x" (list 1) }}{{ toJson $d }}', D5),
    ('{{ hasKey .nil "x" }}|{{ get .nil "x" }}', D5),
    ('{{ set .nil "x" 1 }}', D5),
    ('{{ merge .nil (dict "a" 1) }}', D5),
    (
        '{{ merge (dict "a" (list 1)) (dict "a" (list 2 3) "b" (list)) }}|{{ mergeOverwrite (dict "a" (list 1)) (dict "a" (list 2 3)) }}',
        D5,
    ),
    (
        '{{ merge (dict "a" (dict)) (dict "a" (dict "x" 1)) }}|{{ mergeOverwrite (dict "a" (dict "y" 2)) (dict "a" (dict "x" 1)) }}|{{ merge (dict "a" 1) (dict "a" .nil) }}',
        D5,
    ),
    (
        '{{ mergeOverwrite (dict "a" 1) (dict "a" .nil) }}|{{ mergeOverwrite (dict "a" 1) (dict "a" 0) }}|{{ merge (dict "a" 0) (dict "a" 5) (dict "a" 7) }}',
        D5,
    ),
    (
        '{{ mergeOverwrite (dict "a" (dict "b" 1)) (dict "a" "str") }}|{{ merge (dict "a" "str") (dict "a" (dict "b" 1)) }}|{{ merge (dict "a" (dict "b" 1)) (dict "a" "s") }}',
        D5,
    ),
    ('{{ mergeOverwrite (dict "a" "s") (dict "a" (dict "b" 1)) }}', D5),
    ('{{ pick .m }}|{{ omit .m "k" "n" }}|{{ dict }}|{{ dict "a" }}|{{ dict .nil 1 }}', D5),
    (
        '{{ deepEqual (list 1 2) (list 1 2) }}|{{ deepEqual (splitList "," "a") (list "a") }}|{{ deepEqual .m .m }}|{{ deepEqual .nil .nil }}|{{ deepEqual 1 (int64 1) }}',
        D5,
    ),
    (
        '{{ has "a" (splitList "," "a,b") }}|{{ without (splitList "," "a,b") "a" }}|{{ uniq (list "a" "a") }}|{{ has .nil (list .nil) }}',
        D5,
    ),
    ('{{ index (splitList "," .s) 9 }}', D5),
    ('{{ first (splitList "," .s) }}|{{ last (split "," .s) }}', D5),
]


# --- random templates from a small grammar (seeded, so the same every run)
_DR: dict[str, Any] = {
    "s": "hi",
    "n": 2,
    "f": 0.5,
    "z": 0,
    "e": "",
    "l": ["a", "b"],
    "m": {"k": "v", "x": 1},
    "nil": None,
    "t": True,
}
_ATOMS = ['.s', '.n', '.f', '.z', '.e', '.l', '.m', '.m.k', '.m.x', '.nil', '.missing', '.t', '$', '$.s', '.',
          '1', '0', '-1', '2.5', '"str"', '""', '`raw`', 'true', 'false', "'c'", '1e3', 'nil', '0x10']  # fmt: skip
_FUNCS1 = ['len', 'not', 'print', 'upper', 'quote', 'toString', 'default "d"', 'printf "%v"', 'toJson', 'empty',
           'first', 'int64', 'add1', 'typeOf', 'kindOf', 'trunc 1', 'index .l', 'b64enc', 'sha1sum', 'trim']  # fmt: skip
_FUNCS2 = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or', 'add', 'sub', 'print', 'printf "%v-%v"', 'list', 'dict',
           'ternary "y" "n"', 'default', 'coalesce', 'max', 'min', 'cat', 'index', 'has', 'mul']  # fmt: skip


def random_cases(seed: int, count: int) -> list[Case]:
    """Templates mixing every statement with nested pipelines of the functions above."""
    rnd = random.Random(seed)

    def expr(depth: int = 0) -> str:
        r = rnd.random()
        if depth > 2 or r < 0.35:
            return rnd.choice(_ATOMS)
        if r < 0.6:
            return f"{rnd.choice(_FUNCS1)} {arg(depth + 1)}"
        if r < 0.85:
            return f"{rnd.choice(_FUNCS2)} {arg(depth + 1)} {arg(depth + 1)}"
        return f"{arg(depth + 1)} | {rnd.choice(_FUNCS1)}"

    def arg(depth: int) -> str:
        e = expr(depth)
        return e if " " not in e else f"({e})"

    def stmt(depth: int) -> str:
        r = rnd.random()
        if depth > 2 or r < 0.4:
            return "{{ " + expr() + " }}"
        if r < 0.5:
            orelse = "{{ else }}" + block(depth + 1) if rnd.random() < 0.5 else ""
            return "{{ if " + expr() + " }}" + block(depth + 1) + orelse + "{{ end }}"
        if r < 0.6:
            return "{{ with " + expr() + " }}" + block(depth + 1) + "{{ end }}"
        if r < 0.7:
            return "{{ range $i, $v := " + expr() + " }}{{ $i }}:" + block(depth + 1) + "{{ end }}"
        if r < 0.8:
            return "{{ $x := " + expr() + " }}{{ $x }}"
        if r < 0.9:
            return "x{{- " + expr() + " -}} y"
        return '{{ printf "%d|%s|%q|%5.1f" ' + " ".join(arg(1) for _ in range(4)) + " }}"

    def block(depth: int) -> str:
        return "".join(stmt(depth) for _ in range(rnd.randint(1, 2)))

    return [(block(0), _DR) for _ in range(count)]


CASES += random_cases(seed=14, count=300)


# --- byte-indexed helpers on non-ASCII text
D6: dict[str, Any] = {"u": "héllo wörld ünïcode text", "s": "hello"}

CASES += [
    ("{{ abbrev 7 .u }}", D6),
    ('{{ wrap 6 .u }}|{{ wrapWith 6 "¶" .u }}|{{ wrap 2 "éé éé" }}', D6),
    ('{{ .u | wrap 100 }}|{{ wrapWith 5 "\\n" "aé bé cé" }}', D6),
]


# --- random templates over Sprig's and Lynq's functions, in the three missingkey modes
_DS: dict[str, Any] = {
    "s": "Hello World",
    "u": "héllo",
    "csv": "a,b,,c",
    "n": 7,
    "neg": -3,
    "f": 2.75,
    "z": 0,
    "e": "",
    "l": ["b", "a", "c"],
    "nl": [3, 1, 2],
    "m": {"k": "v", "x": 1, "y": None},
    "nil": None,
    "t": True,
    "j": '{"a":1,"b":[1,2]}',
}
_SATOMS = ['.s', '.u', '.csv', '.n', '.neg', '.f', '.z', '.e', '.l', '.nl', '.m', '.m.k', '.m.y', '.nil', '.missing', '.t', '.j', '$.l', '.',
         '1', '0', '-2', '3.5', '"a-b_c"', '""', '"Hello"', 'true', '1e2', '"x,y"', '"1.5"', '"42"']  # fmt: skip
_SF1 = ['len', 'not', 'upper', 'lower', 'title', 'quote', 'squote', 'toString', 'default "d"', 'toJson', 'toPrettyJson', 'empty', 'first', 'last', 'rest', 'initial', 'reverse', 'uniq', 'compact', 'sortAlpha',
      'int64', 'int', 'float', 'bool', 'float64', 'atoi', 'add1', 'floor', 'ceil', 'typeOf', 'kindOf', 'trunc 3', 'trunc -2', 'abbrev 5', 'b64enc', 'b32enc', 'sha256sum', 'adler32sum', 'trim', 'nospace', 'snakecase', 'kebabcase', 'camelcase',
      'splitList ","', 'join "-"', 'toStrings', 'keys', 'values', 'fromJson', 'trunc63', 'toHost', 'indent 2', 'nindent 1', 'repeat 2', 'substr 1 3', 'replace "l" "L"', 'regexFind "[a-z]+"', 'regexReplaceAll "[aeiou]" "_"', 'regexMatch "^H"', 'regexSplit "," -1', 'plural "one" "many"', 'len', 'hasKey "k"', 'pluck "k"', 'dig "k" "d"']  # fmt: skip
_SF2 = ['eq', 'ne', 'lt', 'gt', 'and', 'or', 'add', 'sub', 'mul', 'div', 'mod', 'max', 'min', 'maxf', 'addf', 'list', 'dict', 'default', 'coalesce', 'cat', 'index', 'has', 'without', 'append', 'prepend', 'concat', 'contains', 'hasPrefix', 'trimPrefix', 'trimSuffix', 'ternary "y" "n"', 'printf "%v/%q"', 'printf "%s %d"', 'round', 'merge', 'get', 'slice', 'until']  # fmt: skip


def random_sprig_cases(seed: int, count: int, missingkey: str) -> list[Case]:
    """Templates with every statement kind (else if, with-else, range with break/continue, assignments, define and
    template, trim markers) over nested pipelines of the functions above."""
    rnd = random.Random(seed)

    def expr(depth: int = 0) -> str:
        r = rnd.random()
        if depth > 2 or r < 0.35:
            return rnd.choice(_SATOMS)
        if r < 0.6:
            return f"{rnd.choice(_SF1)} {arg(depth + 1)}"
        if r < 0.85:
            return f"{rnd.choice(_SF2)} {arg(depth + 1)} {arg(depth + 1)}"
        return f"{arg(depth + 1)} | {rnd.choice(_SF1)}"

    def arg(depth: int) -> str:
        e = expr(depth)
        return e if " " not in e else f"({e})"

    def stmt(depth: int) -> str:
        r = rnd.random()
        if depth > 2 or r < 0.35:
            return "{{ " + expr() + " }}"
        if r < 0.45:
            elif_ = "{{ else if " + expr() + " }}" + block(depth + 1) if rnd.random() < 0.3 else ""
            else_ = "{{ else }}" + block(depth + 1) if rnd.random() < 0.5 else ""
            return "{{ if " + expr() + " }}" + block(depth + 1) + elif_ + else_ + "{{ end }}"
        if r < 0.55:
            else_ = "{{ else }}" + block(depth + 1) if rnd.random() < 0.3 else ""
            return "{{ with $w := " + expr() + " }}{{ $w }}" + block(depth + 1) + else_ + "{{ end }}"
        if r < 0.7:
            jump = rnd.choice(["break", "continue"])
            body = "{{ if eq $i 1 }}{{ " + jump + " }}{{ end }}" if rnd.random() < 0.3 else ""
            return (
                "{{- range $i, $v := "
                + expr()
                + " }}{{ $i }}={{ $v }}"
                + body
                + block(depth + 1)
                + "{{ else }}none{{ end -}}"
            )
        if r < 0.8:
            return "{{ $x := " + expr() + " }}{{ $x = " + expr() + " }}{{ $x }}"
        if r < 0.9:
            name = f"T{depth}"
            return '{{ define "' + name + '" }}[{{ . }}]{{ end }}{{ template "' + name + '" ' + arg(1) + " }}"
        return "\n  {{- " + expr() + " -}}\n  "

    def block(depth: int) -> str:
        return "".join(stmt(depth) for _ in range(rnd.randint(1, 2)))

    return [(block(0), _DS, {"missingkey": missingkey}) for _ in range(count)]


CASES += random_sprig_cases(seed=1, count=150, missingkey="default")
CASES += random_sprig_cases(seed=2, count=75, missingkey="zero")
CASES += random_sprig_cases(seed=3, count=75, missingkey="error")


# --- lexing and parsing edge cases
D7: dict[str, Any] = {"s": "x", "t": True, "l": [1, 2]}

CASES += [
    ("a \r\n {{- .s -}} \r\n b", D7),
    ("a\t{{- .s }}", D7),
    ("{{- -}}", D7),
    ("{{-}}", D7),
    ("{{ - }}", D7),
    ("{{-/* c */-}}", D7),
    ("{{- /* c */ -}}", D7),
    ("a {{- /* c */}} b", D7),
    ("a {{/* c */ -}} b", D7),
    ("{{/* multi\nline */}}x", D7),
    ("{{ /*c*/ }}", D7),
    ("{{/* a */ /* b */}}", D7),
    ("{{ if .t -}}\n  yes\n{{- else -}}\n  no\n{{- end }}", D7),
    ("{{ range .l -}}\n  - {{ . }}\n{{ end -}}", D7),
    ("{{ range .l }}\n  - {{ . }}\n{{- end }}", D7),
    ("{{\t.s\t}}", D7),
    ("{{\n  .s\n}}", D7),
    ('{{ .s\n| printf "%s!" }}', D7),
    ("{{ print\n1\n2 }}", D7),
    ("{{ .s }}{{", D7),
    ("}}{{ .s }}", D7),
    ('{{ "a" }}{{/**/}}{{ `b` }}', D7),
    ("{{ 'x' }}{{ '\\x' }}", D7),
    ("{{ '' }}", D7),
    ('{{ "\\u00" }}', D7),
    ("{{ `a\r\nb` }}", D7),
    ("{{ 1.e3 }}|{{ .1e-2 }}|{{ 0x1.8p1 }}", D7),
    ("{{ 0b }}", D7),
    ("{{ 1__0 }}", D7),
    ("{{ _1 }}", D7),
    ("{{ 1_0 }}|{{ 0x_1 }}|{{ 0_7 }}", D7),
    ("{{ +0x10 }}|{{ -0b11 }}|{{ 00 }}", D7),
    ("{{ 1+2 }}", D7),
    ("{{ .s.}}", D7),
    ("{{ $x:=1 }}{{$x}}", D7),
    ("{{ $x :=1 }}{{ $x}}", D7),
    ("{{ $x= 1 }}", D7),
    ("{{$}}", None),
    ("{{ $ .s }}", D7),
    ('{{ .s|printf "%s"|upper }}', D7),
    ("{{ (.s) (.s) }}", D7),
    ('{{ printf "%s%s" (.s) (.s) }}', D7),
    ('{{ printf "%s"(.s) }}', D7),
    ('{{ printf "%s" .s}}', D7),
    ("{{ true.x }}", D7),
    ("{{ nil.x }}", D7),
    ("{{ (nil).x }}", D7),
    ("{{ $.s.x }}", D7),
    ("{{ .s | .x }}", D7),
    ("{{ if }}", D7),
    ("{{ range }}{{ end }}", D7),
    ("{{ with }}{{ end }}", D7),
    ("{{ template }}", D7),
    ('{{ template "x" . . }}', D7),
    ('{{ define "a" }}{{ end }}{{ define "a" }}  {{ end }}{{ template "a" }}ok', D7),
    ('{{ define "a" }}A{{ end }}{{ block "a" . }}B{{ end }}', D7),
    ('{{ block "b" }}B{{ end }}', D7),
    ('{{ if .t }}{{ define "x" }}{{ end }}{{ end }}', D7),
    ("{{ end }}{{ if .t }}", D7),
    ("{{ else if .t }}", D7),
    ("{{ if .t }}{{ else with .s }}{{ end }}", D7),
    ("{{ with .t }}{{ else if .s }}{{ end }}", D7),
    ("{{ range .l }}{{ else if .s }}{{ end }}", D7),
    ("{{ if .t }}{{ else }}{{ else if .s }}{{ end }}", D7),
    ("{{ continue }}", D7),
    ("{{ range .l }}{{ break 1 }}{{ end }}", D7),
    ("{{ range .l }}{{ with . }}{{ break }}{{ end }}{{ . }}{{ end }}", D7),
]


# --- toDate, dateModify, durationRound, duration (Go's time parsing)
D8: dict[str, Any] = {}

CASES += [
    (
        '{{ toDate "2006-01-02" "2024-03-05" }}|{{ toDate "2006-01-02 15:04:05" "2024-02-29 23:59:58" }}|{{ toDate "2006-01-02" "bad" }}',
        D8,
    ),
    (
        '{{ toDate "2006-01-02" "2023-02-29" }}|{{ toDate "02/01/06" "05/03/24" }}|{{ toDate "Jan 2, 2006" "mar 5, 2024" }}|{{ toDate "January _2 2006" "March  5 2024" }}',
        D8,
    ),
    (
        '{{ toDate "3:04PM" "11:30pm" }}|{{ toDate "3:04PM 2006" "11:30PM 2020" }}|{{ toDate "2006 15:04:05.000" "2020 07:08:09.123" }}|{{ toDate "2006 15:04:05" "2020 07:08:09.5" }}|{{ toDate "2006 15:04:05.999" "2020 07:08:09" }}',
        D8,
    ),
    (
        '{{ toDate "Mon Jan 2 2006" "Tue Mar 5 2024" }}|{{ toDate "2006-01-02T15:04:05Z07:00" "2024-03-05T10:00:00Z" }}|{{ toDate "06" "69" }}|{{ toDate "06" "68" }}',
        D8,
    ),
    (
        '{{ toDate "2006-01-02" "2024-03-05" | unixEpoch }}|{{ toDate "2006" "x" | unixEpoch }}|{{ toDate "2006-01-02" "2024-03-05" | date "Jan 2 2006 15:04" }}',
        D8,
    ),
    (
        '{{ toDate "2006-01-02" "2024-03-05" | dateModify "1h30m" }}|{{ toDate "2006-01-02" "2024-03-05" | dateModify "-2.5h" }}|{{ toDate "2006-01-02" "2024-03-05" | dateModify "bad" }}',
        D8,
    ),
    ('{{ toDate "2006-01-02" "2024-03-05" | mustDateModify "bad" }}', D8),
    ('{{ mustToDate "2006-01-02" "bad" }}', D8),
    (
        '{{ durationRound "2h10m" }}|{{ durationRound "-3d" }}|{{ durationRound "25h" }}|{{ durationRound "1.5s" }}|{{ durationRound "800ms" }}|{{ durationRound (int64 100000000000000) }}|{{ durationRound 5 }}',
        D8,
    ),
    (
        '{{ durationRound "8760h1s" }}|{{ durationRound "721h" }}|{{ durationRound "61s" }}|{{ durationRound "1m" }}|{{ durationRound "1us" }}|{{ durationRound "1µs" }}',
        D8,
    ),
    ('{{ duration "3601" }}|{{ duration "-61" }}|{{ duration (int64 59) }}', D8),
    (
        '{{ toDate "2006-01-02" "2024-03-05" | dateModify "1.5ms" }}|{{ toDate "2006-01-02" "2024-03-05" | dateModify "90s" | date "15:04:05.000" }}',
        D8,
    ),
    ('{{ dateModify "1h" "x" }}', D8),
]

# Number parsing in conversions: Go's strconv and cast against Python's int()/float() (underscores, prefixes,
# spaces, signs, exponents, non-ASCII digits, Inf/NaN spellings), and number literals in templates.
_NUMS = ["1_0", "0x10", " 5", "5 ", "\t5", "5\n", "+5", "-5", "1e3", "1E3", "1.5e3", "0b1", "0o7", "0X1F", "010", "08",
         "00", "0_1", "٣", "１", "1.0", "10.00", "0x1p4", "0x1P-2", "1_0.5", "1__0", "_1", "0x", "0b", ".5", "5.", "1.",
         "-0", "1e", "--1", "+-1", "0.0e0", "9223372036854775807", "true", ""]  # fmt: skip
_NONFINITE = [
    "inf",
    "-Inf",
    "+Inf",
    "Infinity",
    "nan",
    "NaN",
    "1e400",
    "-1e400",
    "0x1p2000",
    "9223372036854775808",
]  # int: platform-defined
CASES += [
    (
        "{{ range .v }}{{ int . }},{{ int64 . }},{{ float64 . }},{{ atoi . }},{{ float . }},{{ bool . }},{{ toDecimal . }}|{{ end }}",
        {"v": _NUMS},
    ),
    (
        "{{ range .v }}{{ add . 1 }},{{ mul . 2 }},{{ addf . 1 }},{{ round . 0 }},{{ ceil . }},{{ floor . }}|{{ end }}",
        {"v": _NUMS},
    ),
    (
        "{{ range .v }}{{ int64 . }},{{ float64 . }},{{ atoi . }},{{ float . }},{{ add . 1 }},{{ addf . 1 }},{{ toDecimal . }}|{{ end }}",
        {"v": _NONFINITE},
    ),
    (
        '{{ maxf "-0" 0 }}|{{ maxf 0 "-0" }}|{{ minf "-0" 0 }}|{{ minf 0 "-0" }}|{{ maxf "-0" "-0" }}|{{ maxf "inf" "nan" }}|{{ minf "-inf" "nan" }}|{{ maxf "nan" 1 }}|{{ minf 1 "nan" }}|{{ maxf "-inf" "nan" }}',
        D,
    ),
    (
        "{{ 0x1p4 }}|{{ 1_0 }}|{{ 010 }}|{{ 0b1 }}|{{ 0o7 }}|{{ 0x1.8p1 }}|{{ 1. }}|{{ .5 }}|{{ 0X1F }}|{{ 1_000.5 }}|{{ 0.1e-1 }}",
        D,
    ),
    ('{{ printf "%T %T %T %T" 1e3 0x1p4 010 1. }}|{{ add 1e3 0 }}|{{ add 0x1p4 1 }}|{{ -0x10 }}|{{ +1 }}', D),
    ("{{ 1e400 }}", D),
    ("{{ -1e400 }}", D),
    ("{{ 0x1p2000 }}", D),
    ("{{ 08 }}", D),
    ("{{ 1__0 }}", D),
    ("{{ 0x_1 }}", D),
    ("{{ 9223372036854775808 }}", D),
    ("{{ add 9223372036854775808 0 }}", D),
]
