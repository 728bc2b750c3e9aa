// Remove the query (an authorization code and state) from the address bar after a failed
// login, so it is not bookmarked, shared or left in the history.
history.replaceState(null, "", location.pathname);
