import Foundation

/// A believable demo territory around the Vieux-Port of Marseille: shops, an association, people.
enum DemoTerritory {
    struct Shop {
        let email: String
        let owner: String
        let name: String
        let kind: String
        let latitude: Double
        let longitude: Double
        let address: String
        let lots: [(title: String, category: String, baskets: Int, meals: Double, kg: Double, value: Int, price: Int)]
    }

    static let password = "demo-password-2026"

    static let shops: [Shop] = [
        Shop(email: "boulangerie.du.port@demo.ecoresupply.local", owner: "Camille Roux", name: "Boulangerie du Port", kind: "shop",
             latitude: 43.2951, longitude: 5.3740, address: "4 quai de Rive Neuve, 13007 Marseille",
             lots: [("Pains et viennoiseries du jour", "bakery", 6, 2, 1.2, 1200, 400), ("Panier solidaire pain", "bakery", 3, 2, 1.0, 900, 0)]),
        Shop(email: "primeur.noailles@demo.ecoresupply.local", owner: "Karim Benali", name: "Primeur de Noailles", kind: "shop",
             latitude: 43.2960, longitude: 5.3810, address: "12 rue Longue des Capucins, 13001 Marseille",
             lots: [("Fruits et légumes moches", "fruit_vegetables", 8, 3, 3.0, 1500, 500), ("Légumes pour soupe", "fruit_vegetables", 4, 4, 2.5, 1000, 0)]),
        Shop(email: "epicerie.panier@demo.ecoresupply.local", owner: "Sophie Martin", name: "Épicerie du Panier", kind: "shop",
             latitude: 43.2985, longitude: 5.3680, address: "7 place de Lenche, 13002 Marseille",
             lots: [("Épicerie date courte", "grocery", 5, 3, 2.0, 2000, 800)]),
        Shop(email: "traiteur.joliette@demo.ecoresupply.local", owner: "Lucas Ferrand", name: "Traiteur de la Joliette", kind: "company",
             latitude: 43.3040, longitude: 5.3665, address: "20 boulevard du Littoral, 13002 Marseille",
             lots: [("Plats cuisinés du midi", "prepared_meals", 10, 1, 0.6, 1100, 450), ("Repas solidaires", "prepared_meals", 6, 1, 0.6, 1100, 0)]),
    ]

    /// The materials exchange: a building site with surplus and a workshop that wants wood.
    static let materials = (builderEmail: "chantier.joliette@demo.ecoresupply.local", workshopEmail: "atelier.panier@demo.ecoresupply.local")
    static let association = (email: "restos.solidaires@demo.ecoresupply.local", name: "Restos Solidaires 13", organisation: "Restos Solidaires 13")
    static let customers = ["ines", "thomas", "lea", "hugo", "chloe", "nathan"].map { "\($0)@demo.ecoresupply.local" }
    static let beneficiaries = ["amina", "yanis", "rose"].map { "\($0).beneficiaire@demo.ecoresupply.local" }
}
