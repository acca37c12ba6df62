from pykro.cli.main import main

main()
