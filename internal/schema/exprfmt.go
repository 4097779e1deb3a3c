package schema

// FormatExpr formats a permission expression canonically, as Format writes
// it (minimal parentheses).
func FormatExpr(e Expr) string { return formatExpr(e) }
