/** Unit tests of the mini-program: pages and components rendered by miniprogram-simulate. */
module.exports = {
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.js'],
  setupFilesAfterEnv: ['<rootDir>/tests/support/setup.js'],
  // Timers in pages (countdowns, refreshes) are cleared on detach; a stray one must not hang CI.
  testTimeout: 10000,
}
