"""The Voilà server: its command line, sign-in, the pages people open and the terminal."""
