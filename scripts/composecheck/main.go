// compose-check loads a Compose file with compose-go (the Compose Specification's reference loader, the one
// `docker compose` uses): it validates the file against the specification's JSON schema and its semantic rules, then
// prints the project as normalized JSON on stdout. Like `docker compose`, it reads a .env file beside the
// Compose file and the process environment for interpolation. Exit status 1 and the loader's message on stderr when invalid.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check FILE")
		os.Exit(2)
	}
	options, err := cli.NewProjectOptions([]string{os.Args[1]}, cli.WithName("pykro-check"),
		cli.WithWorkingDirectory(filepath.Dir(os.Args[1])), cli.WithOsEnv, cli.WithEnvFiles(), cli.WithDotEnv)
	if err == nil {
		p, loadErr := options.LoadProject(context.Background())
		if loadErr == nil {
			out, jsonErr := p.MarshalJSON()
			if jsonErr == nil {
				os.Stdout.Write(append(out, '\n'))
				return
			}
			err = jsonErr
		} else {
			err = loadErr
		}
	}
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
