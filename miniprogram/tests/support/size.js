/**
 * `node tests/support/size.js` prints the bytes per package of the WeChat upload
 * (the list itself is build/shipped.js, which the Alipay build starts from too).
 */
const { packageSizes, shippedFiles } = require('../../build/shipped')

if (require.main === module) {
  const sizes = packageSizes()
  let total = 0
  Object.entries(sizes).forEach(([name, { bytes, files }]) => {
    total += bytes
    console.log(`${name.padEnd(10)} ${String(bytes).padStart(8)} bytes  ${String(files).padStart(3)} files`)
  })
  console.log(`${'total'.padEnd(10)} ${String(total).padStart(8)} bytes`)
}

module.exports = { packageSizes, shippedFiles }
