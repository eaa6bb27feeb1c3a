message = "foundation sandbox"
