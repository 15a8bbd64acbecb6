/**
 * The app shell. Pages do their own loading (login happens on the first call that needs it),
 * so a cold start shows the home page at once, even offline.
 */
App({
  onLaunch() {},
})
