"""What pestdata prints or presents: charts, PDF documents and the parent evening."""
