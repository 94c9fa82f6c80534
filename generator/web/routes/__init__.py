"""The page's routes by area: uploads, jobs, units and sign-in, the bureau; each route a small function."""
