/**
 * Readings said aloud, as the backend's recognizer writes them ("血压145/88，心跳72",
 * "空腹血糖7.8"): the numbers for the form, which the person then checks before saving.
 * Nothing is guessed: a number outside what a meter can show is left out.
 */
const NUMBER = /\d+(?:\.\d+)?/g

function numbers(text) {
  return ((text || '').match(NUMBER) || []).map(Number)
}

/** {systolic, diastolic, pulse?} from "145/88 心跳72"; {} when two plausible numbers are not there. */
function bloodPressure(text) {
  const found = numbers(text).filter((n) => Number.isInteger(n))
  const [systolic, diastolic, pulse] = found
  if (!(systolic >= 60 && systolic <= 300 && diastolic >= 30 && diastolic < systolic)) return {}
  const reading = { systolic: String(systolic), diastolic: String(diastolic) }
  if (pulse >= 30 && pulse <= 220) reading.pulse = String(pulse)
  return reading
}

/** {glucose} from "血糖7.8" (mmol/L between 1 and 35); {} otherwise. */
function glucose(text) {
  const value = numbers(text).find((n) => n >= 1 && n <= 35)
  return value === undefined ? {} : { glucose: String(value) }
}

module.exports = { bloodPressure, glucose }
