#!/bin/bash
# The cheapest bash exec wrapper a vendor layer can be: used for the cold-start rows of
# real runtimes, where inserting -X importtime would change the runtime's own work.
exec "$@"
