from rumcfn.cli import entry

entry()
