"""The explicit tables the access tests check against (written by hand, not derived from the selectors)."""

ALL = ["CA001", "CA002", "CA003", "CB001", "CB002", "CC001", "CC002", "CU001"]
BRANCH_A = ["CA001", "CA002", "CA003", "CB001", "CB002", "CU001"]
REACH = {
    "alice": ["CA001", "CA002", "CB002"],        # CB002 reassigned from bob
    "bob": ["CA003", "CB001"],                   # CA003 reassigned from alice
    "charlie": ["CC001", "CC002"],
    "director_a": BRANCH_A,
    "manager_a": BRANCH_A,
    "compliance": ALL,
    "admin": ALL,
}
ROLES = list(REACH)
