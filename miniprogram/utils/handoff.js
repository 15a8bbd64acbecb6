/**
 * Hands an object from one page to the next within one run (a URL carries ids, not objects).
 * Pages that receive a handoff also know how to reload from the backend when it is missing,
 * e.g. after the host restored the page from a cold start.
 */
const parcels = {}

function put(key, value) {
  parcels[key] = value
}

function take(key) {
  const value = parcels[key]
  delete parcels[key]
  return value === undefined ? null : value
}

function peek(key) {
  return parcels[key] === undefined ? null : parcels[key]
}

module.exports = { put, take, peek }
