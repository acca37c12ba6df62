// gotemplate-check runs Go text/template with Sprig v3 (and Lynq's extra functions) on cases read from stdin, so
// pykro's pure-Python engine (src/pykro/_gotemplate) can be compared with the real thing.
//
// Input: a JSON array of {"template": str, "data": any, "missingkey": "default"|"zero"|"error", "funcs":
// "lynq"|"sprig", "names": bool (answer the function map's names instead)}. JSON numbers without a fraction or exponent become Go int, others float64.
// Output: a JSON array of {"out": str} or {"err": str}.
package main

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

type testCase struct {
	Template   string          `json:"template"`
	Data       json.RawMessage `json:"data"`
	MissingKey string          `json:"missingkey"`
	Funcs      string          `json:"funcs"`
	Names      bool            `json:"names"` // answer the names of the function map instead
}

type result struct {
	Out *string `json:"out,omitempty"`
	Err *string `json:"err,omitempty"`
}

// typed turns json.Number values into int (integral literals) or float64.
func typed(v interface{}) interface{} {
	switch x := v.(type) {
	case json.Number:
		s := string(x)
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.Atoi(s); err == nil {
				return i
			}
		}
		f, _ := strconv.ParseFloat(s, 64)
		return f
	case []interface{}:
		for i := range x {
			x[i] = typed(x[i])
		}
	case map[string]interface{}:
		for k := range x {
			x[k] = typed(x[k])
		}
	}
	return v
}

// Lynq's extra functions (Lynq's internal/template engine), re-stated for the comparison.
const (
	markerInt   = "__LYNQ_TYPE_INT__"
	markerFloat = "__LYNQ_TYPE_FLOAT__"
	markerBool  = "__LYNQ_TYPE_BOOL__"
)

func lynqFuncs(m template.FuncMap) {
	m["toHost"] = func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			if i := strings.Index(raw, ":"); i >= 0 {
				return raw[:i]
			}
			return raw
		}
		return u.Hostname()
	}
	m["trunc63"] = func(s string) string {
		if len(s) > 63 {
			return s[:63]
		}
		return s
	}
	m["sha1sum"] = func(s string) string {
		sum := sha1.Sum([]byte(s))
		return hex.EncodeToString(sum[:])
	}
	m["fromJson"] = func(s string) interface{} {
		var out interface{}
		if json.Unmarshal([]byte(s), &out) != nil {
			return map[string]interface{}{}
		}
		return out
	}
	m["int"] = func(v interface{}) string {
		n := 0
		switch x := v.(type) {
		case int:
			n = x
		case int64:
			n = int(x)
		case int32:
			n = int(x)
		case float64:
			n = int(x)
		case float32:
			n = int(x)
		case string:
			if i, err := strconv.Atoi(x); err == nil {
				n = i
			} else if f, err := strconv.ParseFloat(x, 64); err == nil {
				n = int(f)
			}
		case bool:
			if x {
				n = 1
			}
		}
		return fmt.Sprintf("%s%d", markerInt, n)
	}
	m["float"] = func(v interface{}) string {
		f := 0.0
		switch x := v.(type) {
		case float64:
			f = x
		case float32:
			f = float64(x)
		case int:
			f = float64(x)
		case int64:
			f = float64(x)
		case int32:
			f = float64(x)
		case string:
			if p, err := strconv.ParseFloat(x, 64); err == nil {
				f = p
			}
		case bool:
			if x {
				f = 1
			}
		}
		return fmt.Sprintf("%s%v", markerFloat, f)
	}
	m["bool"] = func(v interface{}) string {
		b := false
		switch x := v.(type) {
		case bool:
			b = x
		case string:
			switch strings.ToLower(x) {
			case "true", "1", "yes", "on", "t", "y":
				b = true
			}
		case int:
			b = x != 0
		case int64:
			b = x != 0
		case int32:
			b = x != 0
		case float64:
			b = x != 0
		case float32:
			b = x != 0
		}
		return fmt.Sprintf("%s%t", markerBool, b)
	}
}

func run(c testCase) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	funcs := sprig.TxtFuncMap()
	if c.Funcs != "sprig" {
		lynqFuncs(funcs)
	}
	if c.Names {
		names := make([]string, 0, len(funcs))
		for name := range funcs {
			names = append(names, name)
		}
		sort.Strings(names)
		return strings.Join(names, " "), nil
	}
	mk := c.MissingKey
	if mk == "" {
		mk = "default"
	}
	t, err := template.New("template").Option("missingkey=" + mk).Funcs(funcs).Parse(c.Template)
	if err != nil {
		return "", err
	}
	var data interface{}
	if len(c.Data) > 0 {
		dec := json.NewDecoder(bytes.NewReader(c.Data))
		dec.UseNumber()
		if err := dec.Decode(&data); err != nil {
			return "", err
		}
		data = typed(data)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func main() {
	var cases []testCase
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, "gotemplate-check:", err)
		os.Exit(2)
	}
	results := make([]result, len(cases))
	for i, c := range cases {
		out, err := run(c)
		if err != nil {
			msg := err.Error()
			results[i].Err = &msg
		} else {
			results[i].Out = &out
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "gotemplate-check:", err)
		os.Exit(2)
	}
}
