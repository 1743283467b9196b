from tei_tools.cli import main

main()
