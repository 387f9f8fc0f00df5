// Prints where a .cpuprofile spent its time: `npx tsx bench/top.ts <file> [n]` (the heaviest
// functions), or `npx tsx bench/top.ts <file> --packages` (busy time by package, without start-up).
import { byPackage, heaviest } from './profile.js'

const [file, option] = process.argv.slice(2) as [string, string | undefined]
console.table(option === '--packages' ? byPackage(file) : heaviest(file, Number(option ?? 25)))
