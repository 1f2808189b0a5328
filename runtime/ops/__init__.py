"""Op families: each module holds OpDefs, shape functions and the builders users call."""
