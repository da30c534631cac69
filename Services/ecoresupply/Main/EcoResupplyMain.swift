import EcoCLI

@main
struct EcoResupplyMain {
    static func main() async {
        await EcoResupplyCommand.main()
    }
}
