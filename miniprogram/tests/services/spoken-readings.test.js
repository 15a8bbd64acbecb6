/** Readings heard by the recognizer become form values only when they make sense. */
const spoken = require('../../utils/spoken-readings')

test('a blood pressure pair, with the pulse when said', () => {
  expect(spoken.bloodPressure('血压145/88心跳72')).toEqual({ systolic: '145', diastolic: '88', pulse: '72' })
  expect(spoken.bloodPressure('高压132低压80')).toEqual({ systolic: '132', diastolic: '80' })
})

test('numbers that cannot be a blood pressure are left out', () => {
  expect(spoken.bloodPressure('高压145D-188')).toEqual({})
  expect(spoken.bloodPressure('吃了2片药')).toEqual({})
  expect(spoken.bloodPressure('')).toEqual({})
})

test('a glucose value in mmol/L', () => {
  expect(spoken.glucose('空腹血糖7.8')).toEqual({ glucose: '7.8' })
  expect(spoken.glucose('血糖是八')).toEqual({})
  expect(spoken.glucose('血糖120')).toEqual({})
})
